package dev.odooops.service;

import dev.odooops.OpsRuntime;
import dev.odooops.domain.Json;
import dev.odooops.model.PageCursor;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cursor pagination of the runs and artifacts lists over real HTTP (a `serve` runtime in this JVM) and the command
 * line, against the real catalog: walking every page returns every row exactly once, in the list's order, while new
 * runs are created between the pages; rows sharing one created_at are ordered by id, none lost at a page's edge;
 * a bad cursor is refused naming {@code cursor} (400, exit 2).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PaginationTest {
    private TestEnvironment env;
    private OpsRuntime runtime;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void setUp() throws Exception {
        env = TestEnvironment.create("pages");
        runtime = env.serviceRuntime();
        Instant base = Instant.parse("2026-01-01T00:00:00.123456Z");
        for (int i = 0; i < 23; i++) {
            // runs 1, 5, 9 ... share their created_at with the run before: pages of 3 end inside such ties
            insertRun(base.plusSeconds(i % 4 == 1 ? i - 1 : i));
        }
        for (int i = 0; i < 11; i++) {
            insertArtifact(env.project + "-a-" + i, base.plusMillis(1000L * (i / 3)), i % 5 == 0);
        }
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (runtime != null) runtime.close();
        if (env != null) env.close();
    }

    private String insertRun(Instant createdAt) throws Exception {
        return TestEnvironment.ops("insert into ops.runs (run_id, project, environment_id, operation_type, status, created_by, "
                        + "created_at, finished_at) values (?::uuid, ?, ?, 'backup', 'success', 'operator', ?::timestamptz, "
                        + "?::timestamptz) returning run_id::text as id", UUID.randomUUID().toString(), env.project,
                env.environmentId(), createdAt.toString(), createdAt.plusSeconds(1).toString()).get(0).get("id").toString();
    }

    private void insertArtifact(String id, Instant createdAt, boolean pruned) throws Exception {
        TestEnvironment.ops("insert into ops.artifacts (id, environment_id, kind, backup_type, uri, checksums, sizes, manifest, "
                        + "created_at, pruned_at) values (?, ?, 'backup', 'full', ?, '{}', '{\"db.dump\": 10}', '{}', "
                        + "?::timestamptz, ?::timestamptz) returning id", id, env.environmentId(), "file:///nowhere/" + id,
                createdAt.toString(), pruned ? createdAt.plusSeconds(60).toString() : null);
    }

    private static List<String> ids(String sql, Object... args) throws Exception {
        return TestEnvironment.ops(sql, args).stream().map(r -> r.get("id").toString()).toList();
    }

    record Answer(int status, Map<String, Object> json) {
    }

    private Answer get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(env.apiUrl() + path))
                .header("Authorization", "Bearer " + TestEnvironment.OPERATOR_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), Json.readMap(r.body()));
    }

    private static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Test
    @SuppressWarnings("unchecked")
    void should_walk_every_run_once_in_order_while_new_runs_are_created_between_pages() throws Exception {
        List<String> expected = ids("select run_id::text as id from ops.runs where environment_id = ? "
                + "order by created_at desc, run_id desc", env.environmentId());
        assertTrue(expected.size() >= 23, expected.toString());
        List<String> seen = new ArrayList<>();
        List<String> created = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Answer a = get("/runs?env=" + q(env.environmentId()) + "&limit=3" + (cursor == null ? "" : "&cursor=" + q(cursor)));
            assertEquals(200, a.status(), a.json().toString());
            List<Map<String, Object>> runs = (List<Map<String, Object>>) a.json().get("runs");
            assertTrue(a.json().containsKey("next_cursor"), "next_cursor always present: " + a.json());
            assertTrue(runs.size() <= 3, a.json().toString());
            runs.forEach(r -> seen.add((String) r.get("run_id")));
            cursor = (String) a.json().get("next_cursor");
            created.add(insertRun(Instant.now())); // a run created while the client walks
            pages++;
        } while (cursor != null);
        assertEquals(expected, seen, "every run exactly once, newest first");
        assertEquals((expected.size() + 2) / 3, pages);
        // the new runs are on the first page of a new walk
        Answer first = get("/runs?env=" + q(env.environmentId()) + "&limit=" + created.size());
        List<String> newestFirst = new ArrayList<>(created);
        java.util.Collections.reverse(newestFirst);
        assertEquals(newestFirst, ((List<Map<String, Object>>) first.json().get("runs")).stream().map(r -> r.get("run_id")).toList());
    }

    @Test
    @SuppressWarnings("unchecked")
    void should_walk_the_artifacts_with_and_without_the_pruned_ones() throws Exception {
        for (boolean all : List.of(false, true)) {
            List<String> expected = ids("select id from ops.artifacts where environment_id = ? and (? or pruned_at is null) "
                    + "order by created_at desc, id desc", env.environmentId(), all);
            List<String> seen = new ArrayList<>();
            String cursor = null;
            do {
                Answer a = get("/artifacts?env=" + q(env.environmentId()) + "&limit=2&all=" + all
                        + (cursor == null ? "" : "&cursor=" + q(cursor)));
                assertEquals(200, a.status(), a.json().toString());
                ((List<Map<String, Object>>) a.json().get("artifacts")).forEach(r -> seen.add((String) r.get("artifact_id")));
                cursor = (String) a.json().get("next_cursor");
            } while (cursor != null);
            assertEquals(expected, seen, "all=" + all);
        }
        // one page holding everything: no next page
        Answer whole = get("/artifacts?env=" + q(env.environmentId()) + "&all=true");
        assertNull(whole.json().get("next_cursor"), whole.json().toString());
        assertTrue(whole.json().containsKey("next_cursor"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void should_page_on_the_command_line_with_limit_and_cursor() throws Exception {
        List<String> expected = ids("select run_id::text as id from ops.runs where environment_id = ? "
                + "order by created_at desc, run_id desc limit 6", env.environmentId());
        TestEnvironment.CliResult one = env.cli("runs", "--env", env.environmentId(), "--limit", "3");
        assertEquals(0, one.exit(), one.stderr());
        Map<String, Object> page = Json.readMap(one.stdout());
        String next = (String) page.get("next_cursor");
        assertNotNull(next, one.stdout());
        TestEnvironment.CliResult two = env.cli("runs", "--env", env.environmentId(), "--limit", "3", "--cursor", next);
        assertEquals(0, two.exit(), two.stderr());
        List<Object> seen = new ArrayList<>();
        for (String out : List.of(one.stdout(), two.stdout())) {
            ((List<Map<String, Object>>) Json.readMap(out).get("runs")).forEach(r -> seen.add(r.get("run_id")));
        }
        assertEquals(expected, seen);

        TestEnvironment.CliResult artifacts = env.cli("artifacts", "--env", env.environmentId(), "--all", "--limit", "4");
        assertEquals(0, artifacts.exit(), artifacts.stderr());
        Map<String, Object> a = Json.readMap(artifacts.stdout());
        assertEquals(4, ((List<?>) a.get("artifacts")).size());
        TestEnvironment.CliResult rest = env.cli("artifacts", "--env", env.environmentId(), "--all", "--limit", "1000",
                "--cursor", (String) a.get("next_cursor"));
        assertEquals(0, rest.exit(), rest.stderr());
        assertEquals(7, ((List<?>) Json.readMap(rest.stdout()).get("artifacts")).size(), rest.stdout());
    }

    @Test
    void should_refuse_a_bad_cursor_or_limit_naming_the_field() throws Exception {
        String runsCursor = new PageCursor(PageCursor.RUNS, Instant.now(), UUID.randomUUID().toString()).encode();
        String notUuid = Base64.getUrlEncoder().withoutPadding().encodeToString("runs|2026-01-01T00:00:00Z|x".getBytes(StandardCharsets.UTF_8));
        String id = q(env.environmentId());
        for (String path : List.of("/runs?env=" + id + "&cursor=" + q("%%%"), "/runs?env=" + id + "&cursor=bm90IGEgY3Vyc29y",
                "/runs?env=" + id + "&cursor=" + notUuid, "/artifacts?env=" + id + "&cursor=" + runsCursor)) {
            Answer a = get(path);
            assertEquals(400, a.status(), path + ": " + a.json());
            assertEquals("cursor", a.json().get("field"), path + ": " + a.json());
        }
        for (String path : List.of("/runs?env=" + id + "&limit=0", "/artifacts?env=" + id + "&limit=1001",
                "/artifacts?env=" + id + "&limit=many")) {
            Answer a = get(path);
            assertEquals(400, a.status(), path + ": " + a.json());
            assertEquals("limit", a.json().get("field"), path + ": " + a.json());
        }
        assertEquals(200, get("/runs?env=" + id + "&cursor=" + runsCursor).status(), "a cursor of the runs list");

        TestEnvironment.CliResult r = env.cli("runs", "--env", env.environmentId(), "--cursor", "garbage!");
        assertEquals(2, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("cursor"), r.stderr());
        assertFalse(r.stdout().contains("runs"), r.stdout());
        TestEnvironment.CliResult a = env.cli("artifacts", "--env", env.environmentId(), "--cursor", runsCursor);
        assertEquals(2, a.exit(), a.stderr());
        assertTrue(a.stderr().contains("cursor"), a.stderr());
    }
}
