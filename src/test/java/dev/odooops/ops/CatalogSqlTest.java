package dev.odooops.ops;

import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The catalog's one transaction helper against the real ops catalog: all of a unit of work, or nothing of it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("fast")
class CatalogSqlTest {
    private TestEnvironment env;
    private OpsDatabase db;
    private CatalogSql sql;

    @BeforeAll
    void setUp() throws Exception {
        env = TestEnvironment.create("catsql");
        try (var rt = env.runtime()) {
            // creates the catalog and synchronises the environment into it
        }
        db = new OpsDatabase(dev.odooops.config.Settings.load(TestEnvironment.HOME, env.configDir, System::getenv));
        sql = new CatalogSql(db.dataSource());
    }

    @AfterAll
    void cleanUp() throws Exception {
        db.close();
        env.close();
    }

    private UUID insertRun(CatalogSql.Tx tx) throws SQLException {
        UUID id = UUID.randomUUID();
        tx.update("insert into ops.runs(run_id, project, environment_id, operation_type, status, metadata, created_by, "
                + "finished_at) values (?, ?, ?, 'backup', 'skipped', '{}'::jsonb, 'operator', now())", id, env.project,
                env.environmentId());
        return id;
    }

    private boolean exists(UUID id) {
        return !sql.query("select 1 from ops.runs where run_id = ?", rs -> 1, id).isEmpty();
    }

    @Test
    void should_commit_the_unit_of_work_when_it_returns() {
        UUID id = sql.inTransaction("test", this::insertRun);
        assertTrue(exists(id));
    }

    @Test
    void should_keep_nothing_when_the_work_throws_and_name_it() {
        UUID[] seen = new UUID[1];
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> sql.inTransaction("recording two rows",
                tx -> {
                    seen[0] = insertRun(tx);
                    throw new SQLException("the second row failed");
                }));
        assertTrue(e.getMessage().startsWith("recording two rows failed: the second row failed"), e.getMessage());
        assertFalse(exists(seen[0]));
        UUID[] again = new UUID[1];
        assertThrows(IllegalArgumentException.class, () -> sql.inTransaction("test", tx -> {
            again[0] = insertRun(tx);
            throw new IllegalArgumentException("a runtime failure passes unchanged");
        }));
        assertFalse(exists(again[0]));
    }

    @Test
    void should_roll_back_a_unit_of_work_that_asks_for_it_and_return_its_answer() {
        UUID[] seen = new UUID[1];
        String answer = sql.inTransaction("test", tx -> {
            seen[0] = insertRun(tx);
            tx.rollbackOnly();
            return "refused";
        });
        assertEquals("refused", answer);
        assertFalse(exists(seen[0]));
    }

    @Test
    void should_record_a_skipped_request_once_with_its_event() {
        RequestCatalog requests = new RequestCatalog(sql);
        String requestId = "skip-" + UUID.randomUUID();
        assertTrue(requests.recordSkipped(env.project, env.environmentId(), "backup", "operator", requestId, "schedule",
                "another run is active", Map.of()));
        assertFalse(requests.recordSkipped(env.project, env.environmentId(), "backup", "operator", requestId, "schedule",
                "another run is active", Map.of()));
        UUID run = requests.runByRequestId(env.environmentId(), requestId, "{}").orElseThrow().runId();
        assertTrue(new RunCatalog(sql).hasEvent(run, "run_skipped"));
    }
}
