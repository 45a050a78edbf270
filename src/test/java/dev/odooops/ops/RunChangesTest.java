package dev.odooops.ops;

import dev.odooops.app.RunViews;
import dev.odooops.domain.GenerationCache;
import dev.odooops.model.ListRunsRequest;
import dev.odooops.model.RunStatus;
import dev.odooops.support.Await;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The run list of service mode, cached and emptied by the catalog's announcements (migration V9): a change made
 * by another instance (here: another connection) shows at once, and without the listening connection every
 * list reads the catalog.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("fast")
class RunChangesTest {
    private TestEnvironment env;
    private OpsDatabase db;
    private final GenerationCache<String, Integer, dev.odooops.model.RunPage> cache = new GenerationCache<>();
    private RunChanges changes;
    private RunViews views;

    @BeforeAll
    void setUp() throws Exception {
        env = TestEnvironment.create("runchanges");
        try (var rt = env.runtime()) {
            // migrates and synchronises the environment into the catalog
        }
        db = new OpsDatabase(dev.odooops.config.Settings.load(TestEnvironment.HOME, env.configDir, System::getenv));
        changes = new RunChanges(db, cache).start();
        views = new RunViews(new OpsCatalog(db.dataSource()), cache);
        Await.until("the listener is up", changes::listening);
    }

    @AfterAll
    void cleanUp() throws Exception {
        changes.close();
        db.close();
        env.close();
    }

    private List<dev.odooops.model.RunSummary> list() {
        return views.list(new ListRunsRequest(env.project, "prod", 10, "operator")).runs();
    }

    private UUID finishedRun() {
        UUID id = UUID.randomUUID();
        try (RunLease lease = RunLease.begin(db, id, env.project, env.environmentId(), "backup", "operator", "{}", 3600, 60)) {
            new OpsCatalog(db.dataSource()).runs().finishRun(id, RunStatus.SUCCESS, null, null, Map.of());
        }
        return id;
    }

    @Test
    void should_answer_from_the_cache_until_another_instance_changes_a_run() throws Exception {
        UUID run = finishedRun();
        Await.until("the new run is listed", () -> list().stream().anyMatch(r -> r.runId().equals(run.toString())));
        // the run's last announcements may still be on their way: wait until a list is answered from memory
        Await.until("the list is answered from the cache", () -> {
            long before = cache.loads();
            list();
            return cache.loads() == before;
        });
        long loads = cache.loads();
        list();
        list();
        assertEquals(loads, cache.loads(), "an unchanged list is not read again");

        ops("update ops.runs set status = 'failed', failure_reason = 'set by another instance' where run_id = ? returning 1", run);
        Await.until("the change shows", () -> list().stream().anyMatch(r -> r.runId().equals(run.toString())
                && "failed".equals(r.status())));
    }

    @Test
    void should_read_the_catalog_each_time_while_the_listening_connection_is_gone_and_listen_again() throws Exception {
        list();
        ops("select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'odoo-ops run changes' "
                + "and datname = current_database()");
        Await.until("the cache is off", () -> !changes.listening());
        long loads = cache.loads();
        list();
        list();
        assertEquals(loads + 2, cache.loads(), "without announcements nothing is served from memory");
        Await.until("listening again", changes::listening);
        UUID run = finishedRun();
        Await.until("a change after the reconnection shows", () -> list().stream()
                .anyMatch(r -> r.runId().equals(run.toString())));
    }
}
