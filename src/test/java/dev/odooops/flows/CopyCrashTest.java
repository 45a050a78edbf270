package dev.odooops.flows;

import dev.odooops.domain.TreeDigest;
import dev.odooops.model.BackupResult;
import dev.odooops.support.Await;
import dev.odooops.support.EnvironmentState;
import dev.odooops.support.FlowFixture;
import dev.odooops.support.NeutralShape;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A copy process killed after its database swap: recover puts the target back as it was, like a killed restore. */
class CopyCrashTest {
    private TestEnvironment env;

    @AfterEach
    void cleanUp() throws Exception {
        if (env != null) NeutralShape.dropStaging(env);
        if (env != null) env.close();
    }

    @Test
    void should_put_back_the_target_of_a_copy_killed_after_the_database_swap() throws Exception {
        env = TestEnvironment.create("ncrash");
        NeutralShape.addOdooTables(env);
        NeutralShape.Staging staging = NeutralShape.copyOfProduction(env, NeutralShape.SINK_HOST);
        Files.writeString(staging.conf(), Files.readString(staging.conf()) + "smtp_port = " + NeutralShape.SINK_PORT + "\n");
        NeutralShape.rows(staging.database(), "insert into res_partner(name) values ('only in staging') returning id");
        env.withOperatorActions("backup, restore, copy");
        env.withMoreEnvironments(NeutralShape.stagingYaml(env, staging, "staging", NeutralShape.neutralizationYaml()));
        FlowFixture fx = FlowFixture.of(env);
        BackupResult b = fx.backup();
        fx.runtime().close();
        assertTrue(b.succeeded(), String.valueOf(b.error()));
        Map<String, String> before = EnvironmentState.tables(staging.database());
        String filesBefore = TreeDigest.of(staging.filestore()).digest();

        env.withSpawnEnv("ODOO_OPS_CRASH_AT", "before:restore-filestore");
        Process p = env.spawn(env.root.resolve("c.out"), env.root.resolve("c.err"), "copy", "--from", env.project + "/prod",
                "--to", env.project + "/staging");
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the copy did not reach its crash point");
        assertEquals(137, p.exitValue(), Files.readString(env.root.resolve("c.err")));
        String run = (String) ops("select run_id::text as id from ops.runs where environment_id = ? and operation_type = 'copy'",
                env.project + "/staging").get(0).get("id");
        assertNotEquals(before, EnvironmentState.tables(staging.database()), "the neutralised copy was swapped in");
        assertEquals(0L, NeutralShape.one(staging.database(), "select count(*) from res_partner where name = 'only in staging'"));

        env.withSpawnEnv("ODOO_OPS_CRASH_AT", "");
        Process next = env.spawn(env.root.resolve("n.out"), env.root.resolve("n.err"), "recover", "--env", env.project + "/staging");
        assertTrue(next.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, next.exitValue(), Files.readString(env.root.resolve("n.err")));
        Await.until("the copy run to be marked abandoned", () -> {
            try {
                return "abandoned".equals(ops("select status from ops.runs where run_id = ?::uuid", run).get(0).get("status"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals(before, EnvironmentState.tables(staging.database()), "the target is as it was before the killed copy");
        assertEquals(filesBefore, TreeDigest.of(staging.filestore()).digest());
        assertEquals(List.of(), NeutralShape.sideCopies(staging));
    }
}
