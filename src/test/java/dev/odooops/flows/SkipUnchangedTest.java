package dev.odooops.flows;

import dev.odooops.OpsRuntime;
import dev.odooops.cli.Commands;
import dev.odooops.domain.Json;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;

import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Skip if unchanged (issue #8 part 2) against the real PostgreSQL: a backup of an environment unchanged since its
 * last verified artifact is a run skipped_unchanged naming it; a raw-SQL write, DDL, a new attachment file, a
 * statistics reset or --force give a real backup; writes to volatile tables do not.
 */
class SkipUnchangedTest {
    private TestEnvironment env;
    private OpsRuntime runtime;

    @BeforeEach
    void setUp() throws Exception {
        env = TestEnvironment.create("skipunch").withProperty("backup.skip-unchanged", "true");
        runtime = env.runtime();
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (runtime != null) runtime.close();
        if (env != null) env.close();
    }

    private BackupResult backup(boolean force) {
        return runtime.operations().backup(BackupRequest.of(env.project, "prod", BackupType.FULL, null, null, null, null,
                "operator", "cli").forced(force));
    }

    /** SQL in the environment's database on a connection of its own, closed after (its statistics are flushed then). */
    private void sql(String statement) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + env.database, "postgres", "")) {
            c.createStatement().execute(statement);
        }
    }

    private static long artifacts(String environmentId) throws Exception {
        return ((Number) ops("select count(*) as n from ops.artifacts where environment_id = ?", environmentId).get(0).get("n"))
                .longValue();
    }

    @Test
    void should_skip_an_unchanged_environment_naming_the_artifact_and_say_why() throws Exception {
        BackupResult first = backup(false);
        assertEquals("success", first.status(), first.error());

        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        int exit = new Commands(runtime.operations(), new PrintStream(stdout, true, StandardCharsets.UTF_8)).backup(
                BackupRequest.of(env.project, "prod", BackupType.FULL, null, null, null, null, "operator", "cli"));
        Map<String, Object> printed = Json.readMap(stdout.toString(StandardCharsets.UTF_8).strip());

        assertEquals(Commands.OK, exit, "an environment covered by a verified artifact is backed up");
        assertEquals("skipped_unchanged", printed.get("status"));
        assertEquals(first.artifactId(), printed.get("artifact_id"));
        assertEquals(1, artifacts(env.environmentId()), "nothing new was stored");
        Map<String, Object> run = ops("select status, metadata->>'artifact_id' as a, metadata->>'unchanged_since' as u "
                + "from ops.runs where run_id = ?::uuid", printed.get("run_id")).get(0);
        assertEquals("skipped_unchanged", run.get("status"));
        assertEquals(first.artifactId(), run.get("a"));
        assertEquals(first.artifactId(), run.get("u"));
        Path evidence = Path.of((String) printed.get("evidence_dir"));
        Map<String, Object> check = Json.readMap(evidence.resolve("unchanged_check.json"));
        assertEquals("skip", check.get("decision"));
        assertTrue(String.valueOf(check.get("reason")).contains(first.artifactId()), check.toString());
        assertEquals("skipped_unchanged", Json.readMap(evidence.resolve("final_status.json")).get("status"));
        assertTrue(Files.exists(evidence.resolve("inputs.json")));
    }

    @Test
    void should_take_a_real_backup_after_a_raw_sql_write_ddl_or_a_new_attachment_and_not_after_volatile_writes()
            throws Exception {
        String last = backup(false).artifactId();

        sql("update res_partner set phone = '+32 2 555 01 01' where id = 1");
        BackupResult afterUpdate = backup(false);
        assertEquals("success", afterUpdate.status(), "a raw-SQL update is a change");
        assertNotEquals(last, afterUpdate.artifactId());

        sql("update ir_cron set nextcall = now() + interval '1 hour'");
        sql("update ir_cron set nextcall = now() + interval '2 hours'");
        BackupResult afterCron = backup(false);
        assertEquals("skipped_unchanged", afterCron.status(), "Odoo's cron bookkeeping is volatile");
        assertEquals(afterUpdate.artifactId(), afterCron.artifactId());

        sql("alter table res_partner add column vat varchar");
        BackupResult afterDdl = backup(false);
        assertEquals("success", afterDdl.status(), "a new column is a change even without a row written");

        Path fs = env.odoo.filestore();
        Path added = fs.resolve("ff").resolve("ff" + "0".repeat(38));
        Files.createDirectories(added.getParent());
        Files.writeString(added, "a new attachment");
        BackupResult afterFile = backup(false);
        assertEquals("success", afterFile.status(), "a new attachment file is a change");
        Map<String, Object> check = Json.readMap(Path.of(afterFile.evidenceDir()).resolve("unchanged_check.json"));
        assertTrue(String.valueOf(check.get("reason")).contains("filestore changed"), check.toString());

        BackupResult unchanged = backup(false);
        assertEquals("skipped_unchanged", unchanged.status());
        BackupResult forced = backup(true);
        assertEquals("success", forced.status(), "--force takes a real backup");
        assertEquals("forced (--force)", Json.readMap(Path.of(forced.evidenceDir()).resolve("unchanged_check.json")).get("reason"));
    }

    @Test
    void should_take_a_real_backup_after_the_statistics_were_reset() throws Exception {
        backup(false);
        sql("select pg_stat_reset()");
        BackupResult after = backup(false);
        assertEquals("success", after.status(), "reset statistics prove nothing: a real backup");
    }

    @Test
    void should_count_a_skipped_backup_as_a_success_for_the_last_success_gauge() throws Exception {
        backup(false);
        BackupResult skipped = backup(false);
        assertEquals("skipped_unchanged", skipped.status());
        var figures = runtime.catalog().metrics().figures();
        var finished = ((java.sql.Timestamp) ops("select finished_at from ops.runs where run_id = ?::uuid", skipped.runId())
                .get(0).get("finished_at")).toInstant();
        assertEquals(finished, figures.lastSuccess().get(env.environmentId() + "|full"));
        List<?> none = List.of();
        assertEquals(none, skipped.warnings());
    }
}
