package dev.odooops.service;

import dev.odooops.OpsRuntime;
import dev.odooops.domain.Json;
import dev.odooops.support.Await;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The inbox folder of `serve`, on the real file system: a request file written then renamed starts its run and
 * gets its result beside it in done/; a bad file goes to error/ with the reason; the same file twice runs once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InboxTest {
    private TestEnvironment env;
    private OpsRuntime runtime;
    private Path inbox;

    @BeforeAll
    void setUp() throws Exception {
        env = TestEnvironment.create("inbox").withType("staging");
        inbox = env.root.resolve("inbox");
        env.withProperty("inbox.dir", inbox.toString()).withProperty("inbox.poll-millis", "200")
                .withProperty("inbox.max-file-bytes", "2048").withProperty("inbox.min-age-millis", "1000");
        runtime = env.serviceRuntime();
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (runtime != null) runtime.close();
        if (env != null) env.close();
    }

    /** Written under a temporary name, then renamed: the convention the inbox documents. */
    private void drop(String name, String content) throws Exception {
        Path tmp = inbox.resolve(name + ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    private Map<String, Object> finalResult(String name) throws Exception {
        Path result = inbox.resolve("done").resolve(name + ".result.json");
        Await.until(name + " to end", () -> {
            try {
                if (!Files.exists(result)) return false;
                Object status = Json.readMap(Files.readString(result)).get("status");
                return !"queued".equals(status) && !"running".equals(status);
            } catch (Exception e) {
                return false;
            }
        });
        return Json.readMap(Files.readString(result));
    }

    private long runs() throws Exception {
        return TestEnvironment.ops("select 1 from ops.runs where environment_id = ?", env.environmentId()).size();
    }

    @Test
    void should_run_a_request_file_and_write_its_result_beside_it_once() throws Exception {
        String request = "operation: backup\nenvironment: " + env.environmentId() + "\ntype: db_only\nlabel: from the inbox\n";
        drop("nightly.yaml", request);
        Map<String, Object> result = finalResult("nightly.yaml");
        assertEquals("success", result.get("status"), result.toString());
        assertTrue(((String) result.get("artifact_id")).startsWith(env.project), result.toString());
        assertTrue(Files.exists(inbox.resolve("done").resolve("nightly.yaml")), "the processed file is kept in done/");
        assertFalse(Files.exists(inbox.resolve("nightly.yaml")));
        assertEquals("inbox", TestEnvironment.ops("select channel from ops.runs where run_id = ?::uuid",
                result.get("run_id")).get(0).get("channel"));

        // the same file (name and content) dropped again, as a nightly job does: a new request, a new run, and
        // its own entries in done/ beside the first ones
        drop("nightly.yaml", request);
        Map<String, Object> again = finalResult("nightly.1.yaml");
        assertEquals("success", again.get("status"), again.toString());
        assertNotEquals(result.get("run_id"), again.get("run_id"), "a file dropped again did not run again");
        assertEquals(result.get("run_id"), finalResult("nightly.yaml").get("run_id"), "the first result was overwritten");
        assertTrue(Files.exists(inbox.resolve("done").resolve("nightly.1.yaml")));
    }

    @Test
    void should_answer_a_file_that_repeats_a_request_id_with_the_first_run() throws Exception {
        String request = "{\"operation\": \"backup\", \"environment\": \"" + env.environmentId()
                + "\", \"type\": \"db_only\", \"request_id\": \"weekly-2026-49\"}";
        drop("weekly.json", request);
        Map<String, Object> first = finalResult("weekly.json");
        long before = runs();
        drop("weekly.json", request);
        Path again = inbox.resolve("done").resolve("weekly.1.json.result.json");
        Await.until("the repeated request answered", () -> Files.exists(again));
        assertEquals(first.get("run_id"), Json.readMap(Files.readString(again)).get("run_id"));
        assertEquals(true, Json.readMap(Files.readString(again)).get("duplicate"));
        assertEquals(before, runs(), "the same request_id started a second run");
    }

    @Test
    void should_keep_every_refused_file_under_a_name_of_its_own() throws Exception {
        String name = "twice refused.json";
        drop(name, "{not json");
        Path first = inbox.resolve("error").resolve(name + ".error.txt");
        Await.until("the first in error/", () -> Files.exists(first));
        drop(name, "{not json either");
        Path second = inbox.resolve("error").resolve("twice refused.1.json.error.txt");
        Await.until("the second beside it", () -> Files.exists(second));
        assertEquals("{not json", Files.readString(inbox.resolve("error").resolve(name)));
        assertEquals("{not json either", Files.readString(inbox.resolve("error").resolve(
                "twice refused.1.json")));
    }

    @Test
    void should_move_a_bad_file_to_error_with_the_reason_and_record_no_run() throws Exception {
        long before = runs();
        Path outside = env.root.resolve("outside.json");
        Files.writeString(outside, "{\"operation\": \"backup\", \"environment\": \"" + env.environmentId() + "\"}");
        record Case(String name, String content, String reason) {
        }
        List<Case> cases = List.of(
                new Case("broken.json", "{not json", "file: not valid JSON"),
                new Case("noop.json", "{\"environment\": \"" + env.environmentId() + "\"}", "operation: expected one of backup|restore"),
                new Case("typo.json", "{\"operation\": \"backup\", \"environment\": \"" + env.environmentId() + "\", \"tpye\": \"full\"}",
                        "tpye: unknown field"),
                new Case("where.json", "{\"operation\": \"backup\", \"environment\": \"nowhere\"}", "environment: no project has an environment 'nowhere'"),
                new Case("who.json", "{\"operation\": \"backup\", \"environment\": \"" + env.environmentId() + "\", \"user\": \"auditor\"}",
                        "user: this inbox request runs as 'operator'"),
                new Case("big.json", "{\"operation\": \"backup\", \"label\": \"" + "x".repeat(3000) + "\"}", "more than inbox.max-file-bytes"));
        for (Case c : cases) drop(c.name(), c.content());
        Files.createSymbolicLink(inbox.resolve("link.json"), outside);
        for (Case c : cases) {
            Path error = inbox.resolve("error").resolve(c.name() + ".error.txt");
            Await.until(c.name() + " in error/", () -> Files.exists(error));
            assertTrue(Files.readString(error).contains(c.reason()), c.name() + ": " + Files.readString(error));
            assertTrue(Files.exists(inbox.resolve("error").resolve(c.name())), c.name() + " kept in error/");
        }
        Path linkError = inbox.resolve("error").resolve("link.json.error.txt");
        Await.until("the link in error/", () -> Files.exists(linkError));
        assertTrue(Files.readString(linkError).contains("not a link"), Files.readString(linkError));
        assertTrue(Files.exists(outside), "the link's target is left alone");
        assertEquals(before, runs(), "a refused file started a run");
    }

    /**
     * A name holding a newline (written then renamed, as documented): before, such a file was read and run, and
     * done/ got an entry whose name holds the raw newline. A name with a control character is a script's mistake or
     * an attempt on the log: it must end in error/ under a safe name (numbered like every other entry there), with
     * the reason naming the original name escaped, one escaped log line (no line a name could forge), and no run.
     */
    @Test
    void should_refuse_a_file_whose_name_holds_a_control_character_visibly() throws Exception {
        long before = runs();
        String request = "operation: backup\nenvironment: " + env.environmentId() + "\ntype: db_only\n";
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        java.io.PrintStream original = System.err;
        System.setErr(new java.io.PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                original.write(b);
                synchronized (log) {
                    log.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                original.write(b, off, len);
                synchronized (log) {
                    log.write(b, off, len);
                }
            }
        }, true, java.nio.charset.StandardCharsets.UTF_8));
        Path error = inbox.resolve("error").resolve("a%0Ab.yaml.error.txt");
        Path again = inbox.resolve("error").resolve("a%0Ab.1.yaml.error.txt");
        try {
            drop("a\nb.yaml", request);
            boolean refused = Await.polled(Duration.ofSeconds(30), () -> Files.exists(error));
            assertTrue(refused, "no error/ entry for a name with a newline after 30 s; inbox: " + listing(inbox)
                    + ", done/: " + listing(inbox.resolve("done")) + ", error/: " + listing(inbox.resolve("error"))
                    + ", log lines naming it: " + linesNaming(log, "b.yaml"));
            drop("a\nb.yaml", request);
            Await.until("the second one beside the first", () -> Files.exists(again));
        } finally {
            System.setErr(original);
        }
        String reason = Files.readString(error);
        assertTrue(reason.contains("a\\nb.yaml") && reason.contains("control character"), reason);
        assertEquals(request, Files.readString(inbox.resolve("error").resolve("a%0Ab.yaml")), "the file kept in error/");
        assertEquals(request, Files.readString(inbox.resolve("error").resolve("a%0Ab.1.yaml")), "the second kept beside it");
        assertFalse(Files.exists(inbox.resolve("a\nb.yaml")), "the file is still in the inbox");
        assertTrue(listing(inbox.resolve("done")).stream().noneMatch(n -> n.contains("\n")), listing(inbox.resolve("done")).toString());
        assertEquals(before, runs(), "a file with a control character in its name started a run");

        List<String> lines = linesNaming(log, "b.yaml");
        assertEquals(2, lines.stream().filter(l -> l.contains("inbox: a\\nb.yaml refused")).count(), lines.toString());
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("b.yaml")), "a name forged a log line: " + lines);
    }

    /**
     * A name whose bytes are not valid UTF-8 (written by a shell, as a script in another locale does): Java reads it
     * with U+FFFD, so no reader can open it by that name: before, it stayed in the inbox forever with no result and
     * no log line (camel-file listed it, the bean found no file by its decoded name). It must end in error/ too.
     */
    @Test
    void should_refuse_a_file_whose_name_is_not_valid_utf8_visibly() throws Exception {
        long before = runs();
        String request = "operation: backup\nenvironment: " + env.environmentId() + "\ntype: db_only\n";
        TestEnvironment.sh(inbox, "sh", "-c", "n=$(printf 'c\\377d.yaml'); printf '%s' \"$1\" > \"$n.tmp\" && mv \"$n.tmp\" \"$n\"",
                "sh", request);
        Path error = inbox.resolve("error").resolve("c%uFFFDd.yaml.error.txt");
        assertTrue(Await.polled(Duration.ofSeconds(30), () -> Files.exists(error)), "no error/ entry for a name that is "
                + "not UTF-8 after 30 s; inbox: " + listing(inbox) + ", done/: " + listing(inbox.resolve("done"))
                + ", error/: " + listing(inbox.resolve("error")));
        assertTrue(Files.readString(error).contains("not valid UTF-8"), Files.readString(error));
        assertEquals(request, Files.readString(inbox.resolve("error").resolve("c%uFFFDd.yaml")));
        assertTrue(listing(inbox).stream().noneMatch(n -> n.endsWith("d.yaml")), listing(inbox).toString());
        assertEquals(before, runs(), "a file with an undecodable name started a run");
    }

    private static List<String> listing(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static List<String> linesNaming(java.io.ByteArrayOutputStream log, String part) {
        String text;
        synchronized (log) {
            text = log.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
        return text.lines().filter(l -> l.contains(part)).toList();
    }

    @Test
    void should_never_read_a_file_still_being_written() throws Exception {
        // copied in place slowly (no write-then-rename): each piece comes before the file is min-age old, and the
        // file is read only once whole; today's inbox read the first piece and refused it as broken JSON
        Path slow = inbox.resolve("slow.json");
        String[] pieces = {"{\"operation\": \"backup\", ", "\"environment\": \"" + env.environmentId() + "\", ",
                "\"type\": \"db_only\", ", "\"label\": \"slow\"}"};
        for (String piece : pieces) {
            Files.writeString(slow, piece, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            java.util.concurrent.locks.LockSupport.parkNanos(400_000_000L); // a slow writer, not a wait for odoo-ops
            assertFalse(Files.exists(inbox.resolve("error").resolve("slow.json.error.txt")), "read half-written");
        }
        Map<String, Object> result = finalResult("slow.json");
        assertEquals("success", result.get("status"), result.toString());
    }

    @Test
    void should_keep_a_file_for_a_busy_environment_and_run_it_when_the_environment_is_free() throws Exception {
        // three requests at once for one environment: one runs, the others wait in the inbox and run after it
        for (int i = 1; i <= 3; i++) {
            drop("busy-" + i + ".json", "{\"operation\": \"backup\", \"environment\": \"" + env.environmentId()
                    + "\", \"type\": \"db_only\", \"label\": \"busy " + i + "\"}");
        }
        java.util.Set<Object> runIds = new java.util.HashSet<>();
        for (int i = 1; i <= 3; i++) {
            Map<String, Object> r = finalResult("busy-" + i + ".json");
            assertEquals("success", r.get("status"), r.toString());
            runIds.add(r.get("run_id"));
            assertFalse(Files.exists(inbox.resolve("error").resolve("busy-" + i + ".json.error.txt")), "a busy file was refused");
        }
        assertEquals(3, runIds.size(), "three files, three runs");
    }
}
