package dev.odooops.app;

import dev.odooops.OpsRuntime;
import dev.odooops.model.ArtifactRequest;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.GetRunRequest;
import dev.odooops.model.ListArtifactsRequest;
import dev.odooops.model.ListRunsRequest;
import dev.odooops.domain.PermissionDenied;
import dev.odooops.model.RestoreDecisionRequest;
import dev.odooops.model.RetentionPlanRequest;
import dev.odooops.model.CheckRequest;
import dev.odooops.model.PinRequest;
import dev.odooops.model.RecoverRequest;
import dev.odooops.model.Report;
import dev.odooops.domain.RequestRejected;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.ValidateEnvRequest;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every operation through the application layer (app.Operations -> its direct: entry route), as every trigger
 * calls it: typed request in, typed result out, the environment given as E or P/E, rejections naming the field.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("fast")
class OperationsTest {
    private TestEnvironment env;
    private OpsRuntime runtime;
    private Operations ops;
    private BackupResult backup;

    @BeforeAll
    void setUp() throws Exception {
        env = TestEnvironment.create("operations").withType("staging");
        runtime = env.runtime();
        ops = runtime.operations();
        // the environment named alone (E), no project: the entry route resolves it
        backup = ops.backup(BackupRequest.of(null, "prod", BackupType.FULL, "ops-test", null, null, null, "operator", "test"));
        assertEquals("success", backup.status(), backup.error());
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (runtime != null) runtime.close();
        if (env != null) env.close();
    }

    @Test
    void should_list_the_artifacts_and_runs_of_an_environment_named_either_way() {
        for (ListArtifactsRequest r : List.of(new ListArtifactsRequest(null, env.environmentId(), false, "operator"),
                new ListArtifactsRequest(env.project, "prod", false, "operator"))) {
            var rows = ops.listArtifacts(r).artifacts();
            assertEquals(List.of(backup.artifactId()), rows.stream().map(m -> m.artifactId()).toList());
            assertEquals("ops-test", rows.get(0).label());
        }
        var runs = ops.listRuns(new ListRunsRequest(null, env.environmentId(), 1, "operator")).runs();
        assertEquals(1, runs.size());
        assertEquals(backup.runId(), runs.get(0).runId());
    }

    @Test
    void should_show_one_run_with_its_steps_and_evidence_files() {
        Report run = ops.getRun(GetRunRequest.parse("run_id", backup.runId(), "operator"));
        assertTrue(run.ok());
        assertEquals("success", run.body().get("status"));
        assertEquals(backup.artifactId(), run.body().get("artifact_id"));
        @SuppressWarnings("unchecked")
        List<String> steps = (List<String>) run.body().get("steps_completed");
        // the route's node ids, each once, recorded by one journal (the halves of dump-and-archive by their names)
        assertEquals(List.of("create-run", "check-unchanged", "resolve-bindings", "quiesce"), steps.subList(0, 4),
                steps.toString());
        assertTrue(steps.containsAll(List.of("dump-database", "archive-filestore", "dump-and-archive", "snapshot-config",
                "upload-artifact", "plan-retention", "finalize", "apply-retention")), steps.toString());
        assertEquals(steps.size(), new java.util.HashSet<>(steps).size(), "a step recorded twice: " + steps);
        @SuppressWarnings("unchecked")
        List<String> files = (List<String>) run.body().get("evidence_files");
        assertTrue(files.containsAll(List.of("inputs.json", "final_status.json", "db.dump.sha256")), files.toString());

        RequestRejected unknown = assertThrows(RequestRejected.class, () -> ops.getRun(new GetRunRequest(UUID.randomUUID(), "operator")));
        assertEquals("run_id", unknown.field());
        assertEquals("run_id", assertThrows(RequestRejected.class, () -> GetRunRequest.parse("run_id", "nope", "operator")).field());
    }

    @Test
    void should_verify_pin_and_unpin_an_artifact_and_reject_an_unknown_one() {
        assertTrue(ops.verifyArtifact(new ArtifactRequest(backup.artifactId(), "operator")).ok());
        assertTrue(ops.pin(new PinRequest(backup.artifactId(), true, "operator")).pinned());
        assertTrue(ops.listArtifacts(new ListArtifactsRequest(null, "prod", false, "operator")).artifacts().get(0).pinned());
        assertFalse(ops.pin(new PinRequest(backup.artifactId(), false, "operator")).pinned());
        RequestRejected r = assertThrows(RequestRejected.class, () -> ops.verifyArtifact(new ArtifactRequest("no-such-artifact", "operator")));
        assertEquals("ID", r.field());
        assertTrue(r.getMessage().contains("no-such-artifact"), r.getMessage());
    }

    @Test
    void should_run_preflight_validate_and_recover_through_their_routes() {
        Report preflight = ops.preflightRestore(new RestoreRequest(null, env.environmentId(), backup.artifactId(),
                BackupType.FULL, true, true, null, "operator", "test"));
        assertTrue(preflight.ok(), preflight.body().toString());
        Report validation = ops.validateEnvironment(new ValidateEnvRequest(null, "prod", backup.artifactId(), "1h", "operator"));
        assertEquals(env.environmentId(), validation.body().get("environment_id"));
        assertEquals("--since 1h", ((Map<?, ?>) validation.body().get("log_window")).get("source"));
        Report recover = ops.recover(new RecoverRequest(env.project, "prod", "operator", "test"));
        assertEquals("success", recover.body().get("status"));
    }

    @Test
    void should_reject_bad_requests_naming_the_field_before_any_run() throws Exception {
        int runsBefore = TestEnvironment.ops("select 1 from ops.runs where environment_id = ?", env.environmentId()).size();
        assertEquals("env", assertThrows(RequestRejected.class, () -> ops.backup(BackupRequest.of(null, "nowhere",
                BackupType.FULL, null, null, null, null, "operator", "test"))).field());
        assertEquals("project", assertThrows(RequestRejected.class, () -> ops.listRuns(new ListRunsRequest("other",
                env.environmentId(), null, "operator"))).field());
        assertEquals("limit", assertThrows(RequestRejected.class, () -> new ListRunsRequest(null, "prod", 0, "operator")).field());
        assertEquals("since", assertThrows(RequestRejected.class, () -> ops.validateEnvironment(new ValidateEnvRequest(null,
                "prod", null, "yesterday", "operator"))).field());
        assertEquals("env", assertThrows(RequestRejected.class, () -> new RecoverRequest(null, " ", "operator", "test")).field());
        assertEquals(runsBefore, TestEnvironment.ops("select 1 from ops.runs where environment_id = ?", env.environmentId()).size());
    }

    /**
     * Each entry route decides the permission itself (its authorize node), whoever calls it: a principal without it is
     * refused with PermissionDenied (field user, FORBIDDEN, the one text naming the action), before any run exists.
     */
    @Test
    void should_refuse_every_operation_to_a_principal_without_its_permission_in_the_entry_route() throws Exception {
        int runsBefore = TestEnvironment.ops("select 1 from ops.runs where environment_id = ?", env.environmentId()).size();
        String id = backup.artifactId();
        String backupText = "user: " + PermissionDenied.text("auditor", "backup", env.project);
        String restoreText = "user: " + PermissionDenied.text("auditor", "restore", env.project);
        String readText = "user: " + PermissionDenied.text("auditor", "backup or restore", env.project);
        record Call(String operation, String expected, org.junit.jupiter.api.function.Executable call) {
        }
        List<Call> calls = List.of(
                new Call("backup", backupText, () -> ops.backup(BackupRequest.of(null, "prod", BackupType.FULL, null, null, null,
                        null, "auditor", "test"))),
                new Call("restore", restoreText, () -> ops.restore(new RestoreRequest(null, env.environmentId(), id,
                        BackupType.FULL, true, true, null, "auditor", "test"))),
                new Call("preflight-restore", restoreText, () -> ops.preflightRestore(new RestoreRequest(null, env.environmentId(),
                        id, BackupType.FULL, true, true, null, "auditor", "test"))),
                new Call("validate-env", restoreText, () -> ops.validateEnvironment(new ValidateEnvRequest(null, "prod", null, null,
                        "auditor"))),
                new Call("recover", restoreText, () -> ops.recover(new RecoverRequest(null, "prod", "auditor", "test"))),
                new Call("accept", restoreText, () -> ops.decideRestore(RestoreDecisionRequest.of("run_id", backup.runId(),
                        RestoreDecisionRequest.Decision.ACCEPT, "auditor", "test"))),
                new Call("verify-artifact", backupText, () -> ops.verifyArtifact(new ArtifactRequest(id, "auditor"))),
                new Call("pin", backupText, () -> ops.pin(new PinRequest(id, true, "auditor"))),
                new Call("unpin", backupText, () -> ops.pin(new PinRequest(id, false, "auditor"))),
                new Call("check", backupText, () -> ops.check(new CheckRequest(env.project, "auditor"))),
                new Call("retention plan", backupText, () -> ops.retentionPlan(new RetentionPlanRequest(null, "prod", "auditor"))),
                new Call("runs", readText, () -> ops.listRuns(new ListRunsRequest(null, "prod", null, "auditor"))),
                new Call("artifacts", readText, () -> ops.listArtifacts(new ListArtifactsRequest(null, "prod", false, "auditor"))),
                new Call("run", readText, () -> ops.getRun(GetRunRequest.parse("run_id", backup.runId(), "auditor"))));
        for (Call c : calls) {
            RequestRejected r = assertThrows(RequestRejected.class, c.call(), c.operation());
            assertTrue(r instanceof PermissionDenied, c.operation() + ": " + r.getMessage());
            assertEquals("user", r.field(), c.operation());
            assertEquals(RequestRejected.Reason.FORBIDDEN, r.reason(), c.operation());
            assertEquals(c.expected(), r.getMessage(), c.operation());
        }
        // the lists a user reads show only the projects it may read
        assertEquals(List.of(), ops.listSchedules(new dev.odooops.model.ListSchedulesRequest("auditor")));
        assertEquals(List.of(), ops.listEnvironments(new dev.odooops.model.ListEnvironmentsRequest("auditor")));
        assertEquals(List.of(env.environmentId()), ops.listEnvironments(new dev.odooops.model.ListEnvironmentsRequest("operator"))
                .stream().map(m -> m.get("id")).toList());
        assertFalse(ops.listArtifacts(new ListArtifactsRequest(null, "prod", false, "operator")).artifacts().get(0).pinned());
        assertEquals(runsBefore, TestEnvironment.ops("select 1 from ops.runs where environment_id = ?", env.environmentId()).size());
    }
}
