package dev.odooops.flows;

import dev.odooops.cli.Commands;
import dev.odooops.domain.RequestRejected;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.RecoverRequest;
import dev.odooops.model.Report;
import dev.odooops.model.RestoreDecisionRequest;
import dev.odooops.model.RestoreDecisionRequest.Decision;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.RestoreResult;
import dev.odooops.support.EnvironmentState;
import dev.odooops.support.FlowFixture;
import dev.odooops.support.OdooStandIn;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.PrintStream;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The decision on a kept disaster restore ({@code accept}/{@code discard}, restore.RestoreDecision) killed with SIGKILL
 * between its changes: an {@code odoo-ops accept|discard RUN} JVM of its own dies at the crash point, then the same
 * decision run again (or {@code recover}, when it was recorded already) ends the environment consistent: decided once
 * (one decision in the restore run's metadata, one {@code restore_accepted|discarded} event), the killed decision run
 * {@code abandoned}, nothing half-done (accepted: the restored copy serving, out of maintenance; discarded: no database,
 * no filestore, Odoo stopped in maintenance), no side copy left. Until then the other decision is refused: half a discard
 * then an accept would start Odoo on no database.
 * <p>
 * One environment for the class: each case makes its own kept restore of the one backup (disaster, then a restore whose
 * validation fails).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestoreDecisionCrashTest {
    private FlowFixture fx;
    private TestEnvironment env;
    private OdooStandIn odoo;
    private BackupResult backup;

    @BeforeAll
    void setUp() throws Exception {
        fx = FlowFixture.standIn(TestEnvironment.create("decision_crash").withType("staging"));
        env = fx.env;
        odoo = fx.odoo;
        backup = fx.backup();
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (fx != null) fx.close();
    }

    /** Nothing live (database dropped, filestore gone), then a restore whose validation fails: its copy is kept. */
    private RestoreResult keptRestore() throws Exception {
        odoo.createsMissingDatabase = false;
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "")) {
            c.createStatement().execute("drop database if exists " + env.database + " with (force)");
        }
        if (Files.exists(env.odoo.filestore())) dev.odooops.demo.DemoEnvironment.deleteTree(env.odoo.filestore());
        odoo.errorInLogAtStart = true;
        // after a discard nothing runs to ask the version of: the operator states it, as --odoo-version does
        RestoreRequest request = new RestoreRequest(env.project, "prod", backup.artifactId(), BackupType.FULL, true, true,
                null, "operator", "test");
        RestoreResult r = fx.runtime().operations().restore(odoo.running() ? request : request.statingVersion(odoo.version));
        odoo.errorInLogAtStart = false;
        assertEquals("failed", r.status(), r.error());
        assertTrue(r.error().contains("odoo-ops accept " + r.runId()), r.error());
        assertTrue(odoo.inMaintenance());
        assertFalse(odoo.running());
        return r;
    }

    private Report decide(String runId, Decision decision) {
        return fx.runtime().operations().decideRestore(RestoreDecisionRequest.of("run_id", runId, decision, "operator", "test"));
    }

    private static Decision decisionOf(String point) {
        return point.startsWith("accept:") ? Decision.ACCEPT : Decision.DISCARD;
    }

    @ParameterizedTest(name = "decision killed at {0}")
    @ValueSource(strings = {"accept:maintenance-lifted", "accept:recorded", "discard:database-removed",
            "discard:files-moved-aside", "discard:recorded"})
    void should_end_decided_once_and_whole_when_a_decision_is_killed(String point) throws Exception {
        RestoreResult kept = keptRestore();
        EnvironmentState restored = EnvironmentState.of(env);
        Decision decision = decisionOf(point);
        Decision other = decision == Decision.ACCEPT ? Decision.DISCARD : Decision.ACCEPT;

        env.withSpawnEnv("ODOO_OPS_CRASH_AT", point);
        var p = env.spawn(env.root.resolve("decide.out"), env.root.resolve("decide.err"), decision.wire(), kept.runId());
        env.withSpawnEnv("ODOO_OPS_CRASH_AT", "");
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), decision.wire() + " did not end");
        assertEquals(137, p.exitValue(), "killed at " + point + ": " + Files.readString(env.root.resolve("decide.err")));
        List<Map<String, Object>> killed = decisionRuns(kept.runId());
        assertEquals(1, killed.size(), killed.toString());
        assertEquals("running", killed.get(0).get("status"), "the killed decision run is ended by the next run");

        if (point.endsWith(":recorded")) {
            // decided already: the same decision again is refused, recover ends the killed run
            RequestRejected again = assertThrows(RequestRejected.class, () -> decide(kept.runId(), decision));
            assertEquals("run_id", again.field());
            assertEquals(RequestRejected.Reason.CONFLICT, again.reason());
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            assertEquals(0, new Commands(fx.runtime().operations(), new PrintStream(out, true)).recover(
                    new RecoverRequest(env.project, "prod", "operator", "cli")), "recover: " + out);
        } else {
            // begun, not recorded: the other decision is refused (nothing changes), the same one finishes it
            RequestRejected refused = assertThrows(RequestRejected.class, () -> decide(kept.runId(), other));
            assertEquals("run_id", refused.field());
            assertTrue(refused.getMessage().contains("odoo-ops " + decision.wire() + " " + kept.runId()), refused.getMessage());
            Report rerun = decide(kept.runId(), decision);
            assertTrue(rerun.ok(), rerun.body().toString());
        }

        List<Map<String, Object>> runs = decisionRuns(kept.runId());
        assertEquals("abandoned", runs.get(0).get("status"), runs.toString());
        assertTrue(runs.stream().skip(1).allMatch(r -> "success".equals(r.get("status"))), runs.toString());
        Map<String, Object> meta = ops("select metadata->>'decision' as decision, metadata->'deciding' as deciding "
                + "from ops.runs where run_id = ?::uuid", kept.runId()).get(0);
        assertEquals(decision.past(), meta.get("decision"));
        assertTrue(meta.get("deciding") == null || "null".equals(String.valueOf(meta.get("deciding"))), meta.toString());
        assertEquals(1, ops("select 1 from ops.run_events where run_id = ?::uuid and event_type = ?", kept.runId(),
                "restore_" + decision.past()).size(), "decided once");
        assertEquals(List.of(), EnvironmentState.sideCopies(env), "side copies left, killed at " + point);
        if (decision == Decision.ACCEPT) {
            assertEquals(restored, EnvironmentState.of(env), "the kept copy stands as restored");
            assertTrue(odoo.running(), "accepted: Odoo serves the restored copy");
            assertFalse(odoo.inMaintenance(), "accepted: maintenance lifted");
        } else {
            assertNull(EnvironmentState.oid(env.database), "discarded: no database");
            assertFalse(Files.exists(env.odoo.filestore()), "discarded: no filestore");
            assertFalse(odoo.running(), "discarded: Odoo not started on nothing");
            assertTrue(odoo.inMaintenance());
        }
    }

    /** The decision runs on a restore run, oldest first. */
    private List<Map<String, Object>> decisionRuns(String restoreRunId) throws Exception {
        return ops("select run_id, status from ops.runs where operation_type = 'recover' and metadata->>'restore_run_id' = ? "
                + "order by created_at", restoreRunId);
    }
}
