package dev.odooops.flows;

import dev.odooops.App;
import dev.odooops.OpsRuntime;
import dev.odooops.domain.Json;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.ListArtifactsRequest;
import dev.odooops.model.PinRequest;
import dev.odooops.domain.RequestRejected;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #8 part 4: legal holds (a pin with a reason and an end), yearly counts, and `retention plan`, which says
 * what would be pruned and why while changing nothing.
 */
class LegalHoldTest {
    private TestEnvironment env;
    private OpsRuntime runtime;

    @BeforeEach
    void setUp() throws Exception {
        env = TestEnvironment.create("legalhold").withLocalStore();
        runtime = env.runtime();
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (runtime != null) runtime.close();
        if (env != null) env.close();
    }

    private BackupResult backup(Integer daily, Integer yearly) {
        BackupResult r = runtime.operations().backup(BackupRequest.of(env.project, "prod", BackupType.DB_ONLY, null,
                daily, daily == null ? null : 0, daily == null ? null : 0, "operator", "test").keepingYearly(yearly));
        assertEquals("success", r.status(), r.error());
        return r;
    }

    private Map<String, Object> cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> argv = new java.util.ArrayList<>(List.of(args));
        argv.addAll(List.of("--config", env.configDir.toString()));
        assertEquals(0, App.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8), System.err, System::getenv));
        return Json.readMap(out.toString(StandardCharsets.UTF_8));
    }

    private boolean pruned(String id) throws Exception {
        return ops("select pruned_at from ops.artifacts where id = ?", id).get(0).get("pruned_at") != null;
    }

    @Test
    void should_keep_a_held_artifact_until_its_hold_ends_and_show_the_reason() throws Exception {
        BackupResult held = backup(null, null);
        Map<String, Object> pin = cli("pin", held.artifactId(), "--reason", "tax audit 2026", "--until", "2099-12-31");
        assertEquals("tax audit 2026", pin.get("pin_reason"));
        assertEquals("2100-01-01T00:00:00Z", pin.get("pinned_until"), "a date holds to the end of that day, UTC");
        var row = runtime.operations().listArtifacts(new ListArtifactsRequest(env.project, "prod", false, "operator"))
                .artifacts().stream().filter(a -> a.artifactId().equals(held.artifactId())).findFirst().orElseThrow();
        assertEquals("tax audit 2026", row.pinReason());

        RetentionFlowTest.age(held.artifactId(), "400 days");
        backup(1, null);
        assertFalse(pruned(held.artifactId()), "held: kept whatever the counts say");

        // the hold ends (as if its day had passed): the next backup's retention treats it as unpinned
        ops("update ops.artifacts set pinned_until = now() - interval '1 day' where id = ? returning id", held.artifactId());
        Map<String, Object> plan = cli("retention", "plan", "--env", env.project + "/prod", "--keep-daily", "1",
                "--keep-weekly", "0", "--keep-monthly", "0");
        String why = String.valueOf(plan.get("series"));
        assertTrue(why.contains(held.artifactId()) && why.contains("its legal hold ended at"), why);
        assertFalse(pruned(held.artifactId()), "retention plan changes nothing");
        backup(1, null);
        assertTrue(pruned(held.artifactId()), "an ended hold no longer keeps it");
    }

    @Test
    void should_refuse_a_hold_that_is_already_over_or_a_reason_on_unpin() {
        BackupResult b = backup(null, null);
        RequestRejected past = assertThrows(RequestRejected.class, () -> runtime.operations().pin(
                new PinRequest(b.artifactId(), true, "x", PinRequest.until("until", "2001-01-01"), "operator")));
        assertEquals("until", past.field());
        assertEquals("reason", assertThrows(RequestRejected.class,
                () -> new PinRequest(b.artifactId(), false, "x", null, "operator")).field());
        assertEquals("until", assertThrows(RequestRejected.class, () -> PinRequest.until("until", "next tuesday")).field());
    }

    @Test
    void should_keep_the_newest_backup_of_each_of_the_last_years_with_a_yearly_count() throws Exception {
        BackupResult y2 = backup(null, null);
        RetentionFlowTest.age(y2.artifactId(), "800 days");
        BackupResult y1 = backup(null, null);
        RetentionFlowTest.age(y1.artifactId(), "400 days");
        BackupResult now = backup(1, 2);
        assertFalse(pruned(y1.artifactId()), "the newest of last year: yearly 2");
        assertTrue(pruned(y2.artifactId()), "two years back is beyond yearly 2 (this year and last)");
        assertFalse(pruned(now.artifactId()));
        Map<String, Object> plan = cli("retention", "plan", "--env", "prod", "--project", env.project, "--keep-daily", "1",
                "--keep-weekly", "0", "--keep-monthly", "0", "--keep-yearly", "2");
        assertEquals(0, ((Number) plan.get("would_prune")).intValue(), plan.toString());
        assertNull(plan.get("error"));
    }
}
