package dev.odooops.service;

import dev.odooops.OpsRuntime;
import dev.odooops.model.PauseScheduleRequest;
import dev.odooops.domain.RequestRejected;
import dev.odooops.support.Await;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backup schedules on Quartz's clustered JDBC job store in the ops catalog, with a seconds-level cron: firings
 * become backup runs (or runs recorded as skipped, never dropped), pausing holds until resumed, and two serve
 * instances on one catalog fire each time once.
 */
class ScheduleTest {
    private static final String EVERY_2S = "- {name: often, cron: \"0/2 * * * * ?\", time_zone: UTC, type: db_only}";

    private static List<Map<String, Object>> firings(TestEnvironment env) throws Exception {
        return TestEnvironment.ops("select run_id::text as run_id, status, request_id, failure_reason from ops.runs "
                + "where environment_id = ? and channel = 'schedule' order by created_at", env.environmentId());
    }

    private static int count(TestEnvironment env) {
        try {
            return firings(env).size();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void should_fire_backups_on_schedule_record_skips_and_hold_a_pause_until_resumed() throws Exception {
        try (TestEnvironment env = TestEnvironment.create("schedules").withSchedules(EVERY_2S);
             OpsRuntime rt = env.serviceRuntime()) {
            String key = env.project + ".prod.often";
            Await.until("three firings", () -> count(env) >= 3);
            List<Map<String, Object>> runs = firings(env);
            Set<Object> ids = new HashSet<>();
            for (Map<String, Object> r : runs) {
                assertTrue(((String) r.get("request_id")).matches("schedule:often:\\d{4}-.*Z"), r.toString());
                assertTrue(ids.add(r.get("request_id")), "a fire time twice: " + runs);
                assertTrue(List.of("queued", "running", "success", "skipped").contains(r.get("status")), r.toString());
                if ("skipped".equals(r.get("status"))) {
                    assertTrue(((String) r.get("failure_reason")).contains("another run is active"), r.toString());
                }
            }
            Await.until("a scheduled backup to succeed", () -> {
                try {
                    return firings(env).stream().anyMatch(r -> "success".equals(r.get("status")));
                } catch (Exception e) {
                    return false;
                }
            });
            // no user in the schedule: the built-in scheduler (backup rights only), not ops.default-user
            assertEquals(List.of(Map.of("created_by", "scheduler")), TestEnvironment.ops("select distinct created_by from ops.runs "
                    + "where environment_id = ? and channel = 'schedule'", env.environmentId()));

            // paused from the command line, another process: the service's scheduler holds it (the shared job store)
            Path out = env.root.resolve("pause.out");
            Process cli = env.spawn(out, env.root.resolve("pause.err"), "pause-schedule", key);
            assertTrue(cli.waitFor(90, TimeUnit.SECONDS));
            assertEquals(0, cli.exitValue(), Files.readString(env.root.resolve("pause.err")));
            assertEquals("PAUSED", dev.odooops.domain.Json.readMap(Files.readString(out)).get("state"));
            assertEquals("PAUSED", rt.operations().listSchedules(new dev.odooops.model.ListSchedulesRequest("operator")).stream().filter(s -> key.equals(s.get("key")))
                    .findFirst().orElseThrow().get("state"));
            Instant pausedAt = Instant.now(); // the pause is committed in the shared job store
            // a paused schedule records nothing: only time passing shows it (Quartz has no event for a firing it does
            // not make), so let two of its fire times (every 2 s) pass; a firing already under way at the pause is
            // recorded still, but under a fire time before the pause (its request_id)
            Await.until("two fire times of the paused schedule to pass", Duration.ofSeconds(30),
                    () -> Instant.now().isAfter(pausedAt.plusSeconds(4)));
            assertEquals(List.of(), firings(env).stream().map(r -> (String) r.get("request_id"))
                    .filter(id -> Instant.parse(id.substring("schedule:often:".length())).isAfter(pausedAt)).toList(),
                    "a paused schedule fired");
            int atPause = count(env);

            Process list = env.spawn(env.root.resolve("list.out"), env.root.resolve("list.err"), "schedules");
            assertTrue(list.waitFor(90, TimeUnit.SECONDS));
            assertTrue(Files.readString(env.root.resolve("list.out")).contains("\"state\" : \"PAUSED\""),
                    Files.readString(env.root.resolve("list.out")) + Files.readString(env.root.resolve("list.err")));
            assertEquals("NORMAL", rt.operations().pauseSchedule(new PauseScheduleRequest(key, false, "operator")).get("state"));
            Await.until("a firing after resume", () -> count(env) > atPause);
            assertEquals("schedule", assertThrows(RequestRejected.class,
                    () -> rt.operations().pauseSchedule(new PauseScheduleRequest("nope.prod.x", true, "operator"))).field());
        }
    }

    @Test
    void should_fire_each_time_once_with_two_serve_instances_on_one_catalog() throws Exception {
        try (TestEnvironment env = TestEnvironment.create("two_serves").withSchedules(EVERY_2S)) {
            Path inbox = env.root.resolve("shared-inbox");
            env.withProperty("inbox.dir", inbox.toString()).withProperty("inbox.poll-millis", "200");
            List<Process> serves = new ArrayList<>();
            List<Path> logs = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    env.withServicePorts();
                    Path err = env.root.resolve("serve" + i + ".err");
                    logs.add(err);
                    serves.add(env.spawn(env.root.resolve("serve" + i + ".out"), err, "serve"));
                    Path log = err;
                    Await.until("serve " + i + " ready", () -> {
                        try {
                            return Files.exists(log) && Files.readString(log).contains("odoo-ops serve: ready");
                        } catch (Exception e) {
                            return false;
                        }
                    });
                }
                int start = count(env);
                // both instances watch one inbox: each file is handled once
                for (int i = 1; i <= 3; i++) {
                    Path tmp = inbox.resolve("shared-" + i + ".json.tmp");
                    Files.writeString(tmp, "{\"operation\": \"backup\", \"environment\": \"" + env.environmentId()
                            + "\", \"type\": \"db_only\", \"label\": \"shared " + i + "\"}");
                    Files.move(tmp, inbox.resolve("shared-" + i + ".json"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                }
                Await.until("six firings with both instances up", () -> count(env) >= start + 6);
                Await.until("the three inbox files to run", () -> {
                    try {
                        return TestEnvironment.ops("select 1 from ops.runs where environment_id = ? and channel = 'inbox' "
                                + "and status = 'success'", env.environmentId()).size() >= 3;
                    } catch (Exception e) {
                        return false;
                    }
                });
            } finally {
                for (Process p : serves) p.destroy();
                for (Process p : serves) p.waitFor(60, TimeUnit.SECONDS);
            }
            // every fire time was taken by exactly one instance (the job store's cluster lock), never by both
            Pattern fired = Pattern.compile("schedule \\S+ fired for (\\S+)");
            Map<String, Integer> byTime = new java.util.HashMap<>();
            for (Path log : logs) {

                Matcher m = fired.matcher(Files.readString(log));
                while (m.find()) {

                    byTime.merge(m.group(1).replaceAll(":$", ""), 1, Integer::sum);
                }
            }
            assertTrue(byTime.size() >= 6, "firings: " + byTime);
            byTime.forEach((t, n) -> assertEquals(1, n, "fire time " + t + " taken by both instances"));
            List<Map<String, Object>> runs = firings(env);
            assertEquals(runs.stream().map(r -> r.get("request_id")).distinct().count(), runs.size(), "one run per firing");
            assertEquals(3, TestEnvironment.ops("select 1 from ops.runs where environment_id = ? and channel = 'inbox'",
                    env.environmentId()).size(), "one run per inbox file");
            try (var errors = Files.list(inbox.resolve("error"))) {
                assertEquals(List.of(), errors.toList(), "an inbox file refused");
            }
            for (int i = 1; i <= 3; i++) {
                assertTrue(Files.exists(inbox.resolve("done").resolve("shared-" + i + ".json.result.json")), "result of file " + i);
            }
        }
    }
}
