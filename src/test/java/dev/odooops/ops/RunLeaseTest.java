package dev.odooops.ops;

import dev.odooops.domain.RequestRejected;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.UUID;

import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The run lease against the real ops catalog: one active run per environment, and how a run is abandoned. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("fast")
class RunLeaseTest {
    private TestEnvironment env;
    private OpsDatabase db;

    @BeforeAll
    void setUp() throws Exception {
        env = TestEnvironment.create("lease");
        try (var rt = env.runtime()) {
            // migrates and synchronises the environment into the catalog
        }
        db = new OpsDatabase(dev.odooops.config.Settings.load(TestEnvironment.HOME, env.configDir, System::getenv));
    }

    @AfterAll
    void cleanUp() throws Exception {
        db.close();
        env.close();
    }

    private RunLease begin(UUID id, int staleSeconds) {
        return RunLease.begin(db, id, env.project, env.environmentId(), "backup", "operator", "{}", staleSeconds, 60);
    }

    private String status(UUID id) throws Exception {
        return (String) ops("select status from ops.runs where run_id = ?", id).get(0).get("status");
    }

    /**
     * Every operation holds the environment's one place (V18): a recover (it sweeps side copies and may start Odoo), an
     * accept/discard decision (a recover run) or a store copy never runs beside a live restore, nor a restore beside them.
     */
    @Test
    void should_refuse_a_recover_a_decision_or_a_store_copy_beside_a_live_restore_and_the_reverse() throws Exception {
        UUID restore = UUID.randomUUID();
        try (RunLease lease = RunLease.begin(db, restore, env.project, env.environmentId(), "restore", "operator", "{}", 3600, 60)) {
            for (String operation : java.util.List.of("recover", "store_copy", "backup")) {
                RequestRejected e = assertThrows(RequestRejected.class, () -> RunLease.begin(db, UUID.randomUUID(), env.project,
                        env.environmentId(), operation, "operator", "{}", 3600, 60), operation);
                assertTrue(e.getMessage().contains("another run is active on " + env.environmentId() + " (restore run " + restore),
                        e.getMessage());
            }
        }
        new OpsCatalog(db.dataSource()).runs().finishRun(restore, dev.odooops.model.RunStatus.SUCCESS, null, null, java.util.Map.of());
        UUID recover = UUID.randomUUID();
        try (RunLease lease = RunLease.begin(db, recover, env.project, env.environmentId(), "recover", "operator", "{}", 3600, 60)) {
            RequestRejected e = assertThrows(RequestRejected.class, () -> RunLease.begin(db, UUID.randomUUID(), env.project,
                    env.environmentId(), "restore", "operator", "{}", 3600, 60));
            assertTrue(e.getMessage().contains("(recover run " + recover), e.getMessage());
        }
        new OpsCatalog(db.dataSource()).runs().finishRun(recover, dev.odooops.model.RunStatus.SUCCESS, null, null, java.util.Map.of());
    }

    @Test
    void should_allow_one_active_run_per_environment_and_name_it_when_refusing() throws Exception {
        UUID first = UUID.randomUUID();
        try (RunLease lease = begin(first, 3600)) {
            RequestRejected e = assertThrows(RequestRejected.class, () -> begin(UUID.randomUUID(), 3600));
            assertTrue(e.getMessage().contains("backup run " + first + " by operator"), e.getMessage());
            assertEquals("queued", status(first), "a live run is never abandoned");
        }
        new OpsCatalog(db.dataSource()).runs().finishRun(first, dev.odooops.model.RunStatus.SUCCESS, null, null, java.util.Map.of());
        UUID next = UUID.randomUUID();
        try (RunLease lease = begin(next, 3600)) {
            assertEquals("queued", status(next));
        }
        new OpsCatalog(db.dataSource()).runs().finishRun(next, dev.odooops.model.RunStatus.SUCCESS, null, null, java.util.Map.of());
    }

    @Test
    void should_abandon_a_run_whose_lock_is_gone_at_once() throws Exception {
        UUID dead = UUID.randomUUID();
        RunLease lease = begin(dead, 3600);
        lease.close(); // the lock goes, the row stays 'queued': as if the process had died
        UUID next = UUID.randomUUID();
        try (RunLease l = begin(next, 3600)) {
            assertEquals("abandoned", status(dead));
        }
        new OpsCatalog(db.dataSource()).runs().finishRun(next, dev.odooops.model.RunStatus.SUCCESS, null, null, java.util.Map.of());
    }

    @Test
    void should_abandon_a_run_whose_heartbeat_is_stale_even_while_its_lock_is_held() throws Exception {
        UUID hung = UUID.randomUUID();
        try (RunLease lease = begin(hung, 3600)) {
            ops("update ops.runs set heartbeat = now() - interval '10 minutes' where run_id = ? returning 1", hung);
            UUID next = UUID.randomUUID();
            try (RunLease l = begin(next, 120)) {
                assertEquals("abandoned", status(hung));
                assertEquals(1, ops("select 1 from ops.run_events where run_id = ? and event_type = 'run_abandoned'", hung).size());
            }
            new OpsCatalog(db.dataSource()).runs().finishRun(next, dev.odooops.model.RunStatus.SUCCESS, null, null, java.util.Map.of());
        }
    }
}
