package dev.odooops.flows;

import dev.odooops.OpsRuntime;
import dev.odooops.cli.Commands;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.domain.RequestRejected;
import dev.odooops.model.RestoreRequest;
import dev.odooops.support.EnvironmentState;
import dev.odooops.support.OdooStandIn;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #6 G, faults in the parts: the S3 endpoint failing (an error answer at every attempt), failing once
 * (the client's retry must carry the run), or slow, at each kind of store call a backup and a restore make.
 * Whatever fails, no half-uploaded artifact is registered or left in the store, and every earlier artifact
 * still verifies.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StoreFaultTest {
    private TestEnvironment env;
    private OdooStandIn odoo;
    private OpsRuntime runtime;
    private String first;

    @BeforeAll
    void setUp() throws Exception {
        env = TestEnvironment.create("store_faults").withOperatorActions("backup, restore, drill");
        odoo = new OdooStandIn(env.root.resolve("odoo.log"));
        env.withOdoo(odoo);
        runtime = env.runtime();
        first = backup().artifactId();
    }

    @AfterEach
    void noFaults() {
        env.storeFaults.clear();
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (runtime != null) runtime.close();
        if (odoo != null) odoo.close();
        if (env != null) env.close();
    }

    private BackupResult backup() {
        return runtime.operations().backup(BackupRequest.of(env.project, "prod", BackupType.FULL, null,
                null, null, null, "operator", "test"));
    }

    private void assertStoreHoldsExactlyTheRegisteredArtifacts() throws Exception {
        List<String> live = TestEnvironment.ops("select id from ops.artifacts where environment_id = ? and pruned_at is null",
                env.environmentId()).stream().map(r -> (String) r.get("id")).sorted().toList();
        Path stored = env.s3Dir.resolve("backups").resolve("ops").resolve(env.project).resolve("prod");
        try (var dirs = Files.list(stored)) {
            List<String> inStore = dirs.filter(d -> {
                try (var files = Files.walk(d)) {
                    return files.anyMatch(Files::isRegularFile);
                } catch (java.io.IOException e) {
                    return true;
                }
            }).map(d -> d.getFileName().toString()).sorted().toList();
            assertEquals(live, inStore);
        }
        for (String id : live) {
            assertEquals(0, new Commands(runtime.operations(), new PrintStream(OutputStream.nullOutputStream())).verifyArtifact(id, "operator"), id + " verifies");
        }
    }

    @ParameterizedTest(name = "the store fails every {0}")
    @ValueSource(strings = {"putBlob", "blobMetadata", "getBlob"})
    void should_fail_the_backup_and_leave_no_partial_artifact_when_the_store_keeps_failing(String operation) throws Exception {
        env.storeFaults.fail(operation, Integer.MAX_VALUE);

        BackupResult r = backup();

        assertEquals("failed", r.status());
        // a packed backup first asks the store for the packs it counts on (their size): there, a failing HEAD stops it
        String step = operation.equals("blobMetadata") ? "archive-filestore" : "upload-artifact";
        assertEquals(step, r.failedStep(), r.error());
        assertNull(r.artifactId(), "nothing registered");
        env.storeFaults.clear();
        assertStoreHoldsExactlyTheRegisteredArtifacts();
        assertEquals("success", backup().status(), "the next backup works once the store does");
    }

    @ParameterizedTest(name = "the store fails one {0}")
    @ValueSource(strings = {"putBlob", "blobMetadata", "getBlob"})
    void should_ride_out_a_single_store_error(String operation) throws Exception {
        env.storeFaults.fail(operation, 1);

        BackupResult r = backup();

        assertEquals("success", r.status(), r.error());
        assertTrue(env.storeFaults.calls(operation) > 0);
        assertStoreHoldsExactlyTheRegisteredArtifacts();
    }

    @Test
    void should_back_up_and_verify_through_a_slow_store() throws Exception {
        env.storeFaults.delay("putBlob", 700).delay("getBlob", 700).delay("blobMetadata", 300);

        BackupResult r = backup();

        assertEquals("success", r.status(), r.error());
        assertStoreHoldsExactlyTheRegisteredArtifacts();
    }

    @Test
    void should_refuse_a_restore_whose_artifact_cannot_be_read_with_nothing_touched() throws Exception {
        Untouched before = unreadableStore();

        assertThrows(RequestRejected.class, () -> runtime.operations().restore(new RestoreRequest(env.project,
                "prod", first, BackupType.FULL, true, true, env.environmentId(), "operator", "test")));

        before.assertStill();
        assertEquals(List.of(), EnvironmentState.sideCopies(env));
    }

    /** The environment's state, its database's oid: taken before the store fails every read and Odoo's calls are cleared. */
    private record Untouched(StoreFaultTest t, EnvironmentState state, Long oid) {
        void assertStill() throws Exception {
            assertEquals(state, EnvironmentState.of(t.env), "the environment is untouched");
            assertEquals(oid, EnvironmentState.oid(t.env.database));
            // a preflight asks the server's version (a read); nothing that changes Odoo was called
            assertEquals(List.of(), t.odoo.calls().stream().filter(c -> !c.endsWith("/web/webclient/version_info")).toList(),
                    "Odoo was not touched");
        }
    }

    private Untouched unreadableStore() throws Exception {
        Untouched before = new Untouched(this, EnvironmentState.of(env), EnvironmentState.oid(env.database));
        env.storeFaults.fail("getBlob", Integer.MAX_VALUE);
        odoo.calls().clear();
        return before;
    }

    @Test
    void should_fail_a_drill_whose_artifact_cannot_be_read_and_leave_nothing_behind() throws Exception {
        Untouched before = unreadableStore();

        dev.odooops.model.Report r = runtime.operations().drill(new dev.odooops.model.DrillRequest(env.project, "prod", first,
                "operator", "test"));

        assertFalse(r.ok(), r.body().toString());
        String run = String.valueOf(r.body().get("run_id"));
        // finished: its row no longer leases the artifact; inconclusive (the store answered 503), so the artifact keeps
        // its last verdict (never drilled: none)
        java.util.Map<String, Object> row = TestEnvironment.ops("select status, finished_at is not null as finished from ops.drills "
                + "where run_id = ?::uuid", run).get(0);
        assertEquals("inconclusive", row.get("status"), row.toString());
        assertEquals("inconclusive", r.body().get("drill"), r.body().toString());
        assertEquals(null, TestEnvironment.ops("select last_drill_status from ops.artifacts where id = ?", first).get(0)
                .get("last_drill_status"), "a store outage flagged the artifact");
        assertEquals(true, row.get("finished"), row.toString());
        assertEquals(List.of(), TestEnvironment.ops("select datname from pg_database where datname like ?",
                dev.odooops.staging.ScratchCopies.DATABASE_PREFIX + "%" + dev.odooops.staging.ScratchCopies.tag(java.util.UUID.fromString(run))),
                "no scratch database left");
        before.assertStill();

        // the store back: the same artifact drills, nothing of the failed drill in its way
        env.storeFaults.clear();
        dev.odooops.model.Report again = runtime.operations().drill(new dev.odooops.model.DrillRequest(env.project, "prod",
                first, "operator", "test"));
        assertTrue(again.ok(), again.body().toString());
        assertEquals("passed", again.body().get("drill"), again.body().toString());
    }
}
