package dev.odooops.flows;

import dev.odooops.domain.Json;
import dev.odooops.restore.StandbyCopies;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.DrillRequest;
import dev.odooops.model.Report;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.RestoreResult;
import dev.odooops.support.EnvironmentState;
import dev.odooops.support.FlowFixture;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The warm standby (issue 16, section 3) on an Odoo-shaped environment with its stand-in, {@code drills.standby: true}
 * (so the drills run on the environment's own server): a drill of an older artifact keeps nothing; the drill of the
 * newest keeps {@code <db>__standby} closed and the filestore beside the live one (hard links to the live files); a
 * restore of that artifact renames them in (no pg_restore) and the environment then holds exactly what the backup
 * held; a standby that was written to (re-opened, a row inserted, closed again) is refused, the normal path runs and
 * the restore still succeeds; half-kept copies a crash left are swept. The stages share one environment, in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandbyTest {
    private FlowFixture fx;
    private TestEnvironment env;
    private BackupResult older;
    private BackupResult newest;
    private EnvironmentState atNewest;

    @BeforeAll
    void setUp() throws Exception {
        env = TestEnvironment.create("standby").withLocalStore().withOperatorActions("backup, restore, drill");
        env.withStandbyDrills();
        fx = FlowFixture.standIn(env);
        older = fx.backup(BackupType.FULL);
        assertEquals("success", older.status(), older.error());
        fx.sql("update res_partner set name = name || ' (after the older backup)' where id < 5");
        newest = fx.backup(BackupType.FULL);
        assertEquals("success", newest.status(), newest.error());
        atNewest = EnvironmentState.of(env);
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (fx != null) {
            try (Connection c = admin()) {
                for (String db : standbyDatabases()) c.createStatement().execute("drop database if exists \"" + db + "\" with (force)");
            } finally {
                fx.close();
            }
        }
    }

    private Report drill(String artifact) {
        return fx.runtime().operations().drill(new DrillRequest(env.project, "prod", artifact, "operator", "test"));
    }

    private static Connection admin() throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
    }

    private String keptDatabase() {
        return StandbyCopies.database(env.database);
    }

    private Path keptFilestore() {
        return StandbyCopies.filestore(env.odoo.filestore());
    }

    private List<String> standbyDatabases() throws Exception {
        return ops("select datname from pg_database where datname like ? order by 1", env.database + "\\_\\_standby%").stream()
                .map(m -> (String) m.get("datname")).toList();
    }

    private Boolean allowsConnections(String db) throws Exception {
        List<Map<String, Object>> rows = ops("select datallowconn from pg_database where datname = ?", db);
        return rows.isEmpty() ? null : (Boolean) rows.get(0).get("datallowconn");
    }

    private static Map<String, Object> evidence(String dir, String file) {
        return Json.readMap(Path.of(dir).resolve(file));
    }

    @Test
    @Order(1)
    void should_keep_no_standby_from_a_drill_of_an_older_artifact() throws Exception {
        Report r = drill(older.artifactId());
        assertTrue(r.ok(), r.body().toString());
        Map<?, ?> standby = (Map<?, ?>) r.body().get("standby");
        assertNotNull(standby, r.body().toString());
        assertEquals(false, standby.get("kept"), standby.toString());
        assertTrue(String.valueOf(standby.get("reason")).contains("not the newest"), standby.toString());
        assertEquals(List.of(), standbyDatabases());
        assertFalse(Files.exists(keptFilestore()));
        assertTrue(ops("select 1 from ops.standbys where environment_id = ?", env.environmentId()).isEmpty());
    }

    @Test
    @Order(2)
    void should_keep_the_newest_artifacts_drill_as_a_closed_standby_with_its_disk_reported() throws Exception {
        Report r = drill(null);
        assertTrue(r.ok(), r.body().toString());
        assertEquals(newest.artifactId(), r.body().get("artifact_id"));
        Map<?, ?> standby = (Map<?, ?>) r.body().get("standby");
        assertEquals(true, standby.get("kept"), standby.toString());
        assertEquals(List.of(keptDatabase()), standbyDatabases());
        assertEquals(false, allowsConnections(keptDatabase()), "the standby is closed to connections");
        assertTrue(Files.isDirectory(keptFilestore()), keptFilestore().toString());
        long bytes = ((Number) standby.get("bytes")).longValue();
        assertTrue(bytes > 0, standby.toString());

        Map<String, Object> row = ops("select artifact_id, database_name, filestore, bytes, fingerprint::text as fp "
                + "from ops.standbys where environment_id = ?", env.environmentId()).get(0);
        assertEquals(newest.artifactId(), row.get("artifact_id"));
        assertEquals(keptDatabase(), row.get("database_name"));
        assertEquals(bytes, ((Number) row.get("bytes")).longValue());
        Map<String, Object> fp = Json.readMap((String) row.get("fp"));
        assertEquals(false, ((Map<?, ?>) fp.get("database")).get("datallowconn"), fp.toString());
        assertTrue(ops("select 1 from ops.drills where run_id = cast(? as uuid) and standby", r.body().get("run_id")).size() == 1);

        // the kept files the live filestore holds unchanged are hard links to them (no second copy on disk)
        Map<String, Object> kept = evidence((String) r.body().get("evidence_dir"), "standby.json");
        Map<?, ?> build = (Map<?, ?>) kept.get("filestore_build");
        long linked = ((Number) build.get("linked_files")).longValue();
        assertTrue(linked > 0, build.toString());
        long sameInode = 0;
        try (Stream<Path> walk = Files.walk(keptFilestore())) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                Path live = env.odoo.filestore().resolve(keptFilestore().relativize(p).toString());
                if (Files.exists(live) && Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS)
                        .equals(Files.getAttribute(live, "unix:ino", LinkOption.NOFOLLOW_LINKS))) sameInode++;
            }
        }
        assertEquals(linked, sameInode);
        // no scratch copy of the drill is left
        assertTrue(ops("select datname from pg_database where datname like 'odoo_ops_scratch_drill%'").stream()
                .noneMatch(m -> String.valueOf(m.get("datname")).contains(String.valueOf(r.body().get("run_id")).substring(0, 8))));
    }

    @Test
    @Order(3)
    void should_rename_the_standby_in_on_a_restore_of_its_artifact_and_restore_exactly_the_backup() throws Exception {
        fx.sql("update res_partner set name = 'written after the backup' where id < 10");
        assertNotEquals(atNewest.tables(), EnvironmentState.tables(env.database));

        RestoreResult r = fx.restore(newest.artifactId(), BackupType.FULL, RestoreRequest.Mode.AUTO);

        assertEquals("success", r.status(), r.error());
        Map<String, Object> used = evidence(r.evidenceDir(), "standby.json");
        assertEquals(true, used.get("standby"), used.toString());
        assertEquals(true, used.get("consumed"), used.toString());
        Map<?, ?> path = (Map<?, ?>) evidence(r.evidenceDir(), "final_status.json").get("standby");
        assertEquals(Map.of("standby", true, "database", true, "filestore", true), Map.of("standby", path.get("standby"),
                "database", path.get("database"), "filestore", path.get("filestore")), path.toString());
        String log = Files.readString(Path.of(r.evidenceDir()).resolve("db_restore.log"));
        assertTrue(log.contains("pg_restore not run"), log);
        assertFalse(log.contains("pg_restore --exit-on-error"), log);
        Map<String, Object> counts = evidence(r.evidenceDir(), "db_restore_checksum_verification.json");
        assertEquals(true, counts.get("row_counts_match"), counts.toString());
        assertTrue(counts.get("tables_expected") instanceof Number n && n.intValue() > 0, counts.toString());
        Map<String, Object> tree = evidence(r.evidenceDir(), "filestore_restore_checksum_verification.json");
        assertEquals(tree.get("expected_tree_digest"), tree.get("actual_tree_digest"), tree.toString());

        // the environment holds exactly what the backup held: every table's rows, the filestore's tree digest
        assertEquals(atNewest, EnvironmentState.of(env));
        assertEquals(true, allowsConnections(env.database));
        assertEquals(List.of(), standbyDatabases(), "consumed");
        assertFalse(Files.exists(keptFilestore()));
        assertTrue(ops("select 1 from ops.standbys where environment_id = ?", env.environmentId()).isEmpty());

        // the new copies' fingerprint is the one the drill recorded when it kept them (not read again beside the safety
        // backup), and it is the environment's: a second restore of the artifact finds it unchanged and only validates
        String detail = String.valueOf(ops("select payload::text as p from ops.run_events where run_id = ?::uuid and step = "
                + "'fingerprint-new-copies' and event_type = 'step_completed'", r.runId()).get(0).get("p"));
        assertTrue(detail.contains("\"recorded_by_the_standby\": [\"database\", \"filestore\"]"), detail);
        RestoreResult again = fx.restore(newest.artifactId(), BackupType.FULL, RestoreRequest.Mode.AUTO);
        assertEquals("success", again.status(), again.error());
        assertEquals("validate_only", again.mode(), again.modeReason());
    }

    @Test
    @Order(4)
    void should_refuse_a_standby_that_was_written_to_and_restore_by_the_normal_path() throws Exception {
        // half-kept copies a killed drill left (renamed, never recorded): the next drill's sweep drops them
        String halfKept = StandbyCopies.pendingDatabase(env.database, "deadbeef");
        Path halfKeptFs = StandbyCopies.pendingFilestore(env.odoo.filestore(), "deadbeef");
        try (Connection c = admin()) {
            c.createStatement().execute("create database \"" + halfKept + "\" owner \"" + env.database + "_owner\"");
        }
        Files.createDirectories(halfKeptFs.resolve("ab"));
        Files.writeString(halfKeptFs.resolve("ab").resolve("abc"), "left by a kill");

        Report kept = drill(null);
        assertTrue(kept.ok(), kept.body().toString());
        assertEquals(true, ((Map<?, ?>) kept.body().get("standby")).get("kept"), kept.body().toString());
        assertEquals(List.of(keptDatabase()), standbyDatabases(), "the half-kept database was swept");
        assertFalse(Files.exists(halfKeptFs), "the half-kept filestore was swept");

        // someone re-opens it, writes, and closes it again
        try (Connection c = admin()) {
            c.createStatement().execute("alter database \"" + keptDatabase() + "\" allow_connections true");
        }
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + keptDatabase(), "postgres", "")) {
            c.createStatement().execute("insert into res_partner(id, name) values (987654, 'written to the standby')");
        }
        try (Connection c = admin()) {
            c.createStatement().execute("alter database \"" + keptDatabase() + "\" allow_connections false");
        }
        fx.sql("update res_partner set name = 'written after the backup again' where id < 10");

        RestoreResult r = fx.restore(newest.artifactId(), BackupType.FULL, RestoreRequest.Mode.AUTO);

        assertEquals("success", r.status(), r.error());
        Map<String, Object> refused = evidence(r.evidenceDir(), "standby.json");
        assertEquals(false, refused.get("standby"), refused.toString());
        assertTrue(String.valueOf(refused.get("reason")).contains("changed since it was kept"), refused.toString());
        Map<?, ?> path = (Map<?, ?>) evidence(r.evidenceDir(), "final_status.json").get("standby");
        assertEquals(false, path.get("standby"), path.toString());
        String log = Files.readString(Path.of(r.evidenceDir()).resolve("db_restore.log"));
        assertTrue(log.contains("pg_restore --exit-on-error"), log);
        assertEquals(atNewest, EnvironmentState.of(env), "the normal path restored the backup");
    }
}
