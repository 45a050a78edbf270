package dev.odooops.flows;

import dev.odooops.model.RecoverRequest;
import dev.odooops.model.Report;
import dev.odooops.restore.StandbyCopies;
import dev.odooops.support.EnvironmentState;
import dev.odooops.support.FlowFixture;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A drill keeping the warm standby killed ({@code kill -9}) with its copies renamed but not recorded, and right after
 * the ops.standbys row was switched to them: {@code recover} finds the half-kept copies by their names and drops them
 * (a drill that did not finish keeps no standby), and the environment is unchanged.
 */
class StandbyCrashTest {

    @Test
    void should_drop_a_half_kept_standby_after_a_kill_and_recover() throws Exception {
        TestEnvironment env = TestEnvironment.create("stbycrash").withLocalStore().withOperatorActions("backup, restore, drill");
        env.withStandbyDrills();
        try (FlowFixture fx = FlowFixture.standIn(env)) {
            fx.backup();
            EnvironmentState before = EnvironmentState.of(env);
            for (String point : List.of("standby:kept-not-recorded", "standby:recorded")) {
                env.withSpawnEnv("ODOO_OPS_CRASH_AT", point);
                Path out = env.root.resolve("drill-kill.out");
                Path err = env.root.resolve("drill-kill.err");
                Process p = env.spawn(out, err, "drill", "--env", env.environmentId(), "--json");
                env.withSpawnEnv("ODOO_OPS_CRASH_AT", "");
                assertTrue(p.waitFor(180, TimeUnit.SECONDS), point + ": the drill did not end");
                assertEquals(137, p.exitValue(), point + ": " + Files.readString(out) + Files.readString(err));
                assertEquals(1, standbyDatabases(env).size(), point + ": the kill came after the database was renamed");
                assertEquals(1, standbyDirectories(env).size(), point + ": and the filestore built");

                Report recovered = fx.runtime().operations().recover(new RecoverRequest(env.project, "prod", "operator", "cli"));
                assertTrue(recovered.ok(), point + ": " + recovered.body());
                assertEquals(List.of(), standbyDatabases(env), point + ": " + recovered.body());
                assertEquals(List.of(), standbyDirectories(env), point);
                assertTrue(ops("select 1 from ops.standbys where environment_id = ?", env.environmentId()).isEmpty(), point);
            }
            assertEquals(before, EnvironmentState.of(env), "the environment is unchanged");
        }
    }

    private static List<String> standbyDatabases(TestEnvironment env) throws Exception {
        return ops("select datname from pg_database where datname like ?", env.database + "\\_\\_standby%").stream()
                .map(m -> (String) m.get("datname")).toList();
    }

    private static List<String> standbyDirectories(TestEnvironment env) throws Exception {
        Path live = env.odoo.filestore();
        String prefix = StandbyCopies.filestore(live).getFileName().toString();
        try (Stream<Path> s = Files.list(live.getParent())) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).toList();
        }
    }
}
