package dev.odooops.flows;

import dev.odooops.domain.PrEnvFile;
import dev.odooops.model.BackupResult;
import dev.odooops.model.PrEnvCreateRequest;
import dev.odooops.model.PrEnvDeleteRequest;
import dev.odooops.model.PrEnvListRequest;
import dev.odooops.model.Report;
import dev.odooops.support.FlowFixture;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pull-request environments (issue 14 section 5) end to end, on the machine's PostgreSQL with real pg_dump and
 * pg_restore: create from the newest sanitised snapshot (the template fast path: CREATE DATABASE ... TEMPLATE and hard
 * links) and from an empty database, backup of a PR environment, delete (twice), a failure half-way, a kill -9 at
 * each crash point followed by recover or the next create/delete, the .env file's content and the permission.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrEnvironmentTest {
    private FlowFixture fx;
    private TestEnvironment env;
    private String project;
    private Path prData;
    private Path envDir;
    private String snapshot;
    private String prYaml;

    @BeforeAll
    void setUp() throws Exception {
        env = TestEnvironment.create("prenv");
        project = env.project;
        prData = env.root.resolve("prdata");
        envDir = env.root.resolve("prenvs");
        prYaml = """
                pr_environments:
                  database: {host: 127.0.0.1, port: 5432, user: %s, password: "${secret:db_password}"}
                  filestore: %s/filestore/%s_pr_{pr}
                  odoo_conf: %s/odoo-pr-{pr}.conf
                  env_dir: %s
                  url: "https://pr-{pr}.review.example.com"
                  max_age: 7d
                  expire_user: operator
                  empty_command: [psql, -h, 127.0.0.1, -U, postgres, -d, "{database}", -v, ON_ERROR_STOP=1, -q, -c, "create table ir_module_module (id int)"]
                """.formatted(env.database + "_owner", prData, project.replace('-', '_'), prData, envDir);
        env.withOperatorActions("backup, restore, copy, pr-env").withProjectYaml(prYaml);
        fx = FlowFixture.of(env);
        fx.sql("create table pr_marker (v text); alter table pr_marker owner to " + env.database + "_owner"); // a table of no anonymisation rule: it says which snapshot a copy came from
        snapshot = sanitizedSnapshot();
    }

    /** A real sanitised snapshot of production's newest backup (operation snapshot). */
    private String sanitizedSnapshot() throws Exception {
        fx.backup();
        Report r = fx.runtime().operations().runQueued(new dev.odooops.model.SnapshotRequest(project, "prod", true, null,
                "operator", "test"), null);
        assertEquals("success", r.body().get("status"), String.valueOf(r.body()));
        return (String) r.body().get("artifact_id");
    }

    @AfterAll
    void tearDown() throws Exception {
        try (Connection c = superuser("postgres")) {
            List<String> dbs = new ArrayList<>();
            try (ResultSet rs = c.createStatement().executeQuery("select datname from pg_database where datname like '"
                    + project.replace('-', '_') + "\\_pr\\_%'")) {
                while (rs.next()) dbs.add(rs.getString(1));
            }
            for (String db : dbs) c.createStatement().execute("drop database if exists \"" + db + "\" with (force)");
        }
        if (fx != null) fx.close();
    }

    private String database(int pr) {
        return project.replace('-', '_') + "_pr_" + pr;
    }

    private Path filestore(int pr) {
        return prData.resolve("filestore").resolve(database(pr));
    }

    private Path envFile(int pr) {
        return envDir.resolve(".env.pr-" + pr);
    }

    private Report create(int pr, String from) {
        return fx.runtime().operations().prEnvCreate(new PrEnvCreateRequest(project, pr, from, "operator", "test"));
    }

    private Report delete(int pr) {
        return fx.runtime().operations().prEnvDelete(new PrEnvDeleteRequest(project, pr, null, "operator", "test"));
    }

    @Test
    void should_create_a_pr_environment_from_the_newest_sanitised_snapshot_through_the_template() throws Exception {
        Report made = create(12, "snapshot");
        assertEquals("success", made.body().get("status"), String.valueOf(made.body()));
        assertEquals(snapshot, made.body().get("artifact_id"));
        assertTrue(databaseExists(database(12)));
        assertEquals(count(env.database, "res_partner"), count(database(12), "res_partner"));
        assertEquals(count(env.database, "ir_attachment"), count(database(12), "ir_attachment"));
        // the filestore: the snapshot's files (anonymised attachments share placeholders), each a hard link to the template's copy
        List<Path> files = files(filestore(12));
        assertEquals(count(database(12), "(select distinct store_fname from ir_attachment where store_fname is not null) f"),
                files.size(), "the snapshot carries no file that no attachment names: " + files);
        assertFalse(files.isEmpty());
        for (Path f : files) assertTrue((int) Files.getAttribute(f, "unix:nlink") >= 2, f + " is not a hard link");
        assertEquals("ready", TestEnvironment.ops("select status from ops.pr_environments where project = ? and pr = 12", project)
                .get(0).get("status"));
        assertEquals("development", TestEnvironment.ops("select type from ops.environments where id = ?", project + "/pr-12")
                .get(0).get("type"));

        // a second one reuses the template: only a database copy and links
        Report again = create(13, "snapshot");
        assertEquals("success", again.body().get("status"), String.valueOf(again.body()));
        @SuppressWarnings("unchecked")
        Map<String, Object> template = (Map<String, Object>) ((Map<String, Object>) again.body().get("steps")).get("template");
        assertEquals(true, template.get("template_reused"));
        assertEquals("FILE_COPY", template.get("strategy"));

        // P/pr-12 is an environment: backup works on it (with the odoo.conf its deployment writes, as CI would)
        Files.writeString(prData.resolve("odoo-pr-12.conf"), "[options]\ndb_name = " + database(12) + "\ndata_dir = " + prData
                + "\ndb_host = 127.0.0.1\ndb_user = " + env.database + "_owner\n");
        TestEnvironment.CliResult backup = env.cli("backup", "--env", project + "/pr-12", "--user", "operator");
        assertEquals(0, backup.exit(), backup.stdout() + backup.stderr());

        // a newer snapshot: the template is made again from it; the PR environments made before keep their files
        fx.sql("insert into pr_marker values ('Newer snapshot')");
        String newer = sanitizedSnapshot();
        Report third = create(14, "snapshot");
        assertEquals("success", third.body().get("status"), String.valueOf(third.body()));
        assertEquals(newer, third.body().get("artifact_id"));
        @SuppressWarnings("unchecked")
        Map<String, Object> remade = (Map<String, Object>) ((Map<String, Object>) third.body().get("steps")).get("template");
        assertEquals(false, remade.get("template_reused"));
        assertEquals(1, count(database(14), "pr_marker where v = 'Newer snapshot'"));
        assertEquals(0, count(database(12), "pr_marker where v = 'Newer snapshot'"));
        for (Path f : files) assertTrue(Files.isRegularFile(f), f + " of pr-12 is gone with the old template");
        assertTrue(delete(14).ok());

        TestEnvironment.CliResult list = env.cli("pr-env", "list", "--project", project, "--user", "operator");
        assertEquals(0, list.exit(), list.stderr());
        assertTrue(list.stdout().contains(project + "/pr-12") && list.stdout().contains("\"age\""), list.stdout());
        assertEquals(0, delete(12).ok() ? 0 : 1);
        assertEquals(0, delete(13).ok() ? 0 : 1);
        assertNothingLeft(12);
        assertNothingLeft(13);
    }

    @Test
    void should_write_an_env_file_with_only_this_environments_connection() throws Exception {
        Report made = create(21, "empty");
        assertEquals("success", made.body().get("status"), String.valueOf(made.body()));
        Path file = envFile(21);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String text = Files.readString(file);
        Map<String, String> values = PrEnvFile.parse(text);
        assertEquals(database(21), values.get("PGDATABASE"));
        assertEquals(env.database + "_owner", values.get("PGUSER"));
        assertEquals(filestore(21).toString(), values.get("ODOO_FILESTORE"));
        assertEquals("https://pr-21.review.example.com", values.get("ODOO_URL"));
        // nothing of production: not its database, its filestore, nor its password (the template reuses its role)
        assertFalse(text.contains(TestEnvironment.PASSWORD), text);
        assertFalse(text.contains("PGPASSWORD="), text);
        assertFalse(values.containsValue(env.database), text);
        assertFalse(text.contains(env.odoo.filestore().toString() + "\n"), text);
        assertTrue(databaseExists(database(21)));
        assertEquals(0, count(database(21), "ir_module_module"));
        assertTrue(Files.isDirectory(filestore(21)));
        assertTrue(delete(21).ok());
        assertNothingLeft(21);
    }

    @Test
    void should_delete_twice_the_second_time_with_nothing_to_do() throws Exception {
        assertEquals("success", create(31, "empty").body().get("status"));
        TestEnvironment.CliResult first = env.cli("pr-env", "delete", "--project", project, "--pr", "31", "--user", "operator");
        assertEquals(0, first.exit(), first.stdout() + first.stderr());
        assertNothingLeft(31);
        TestEnvironment.CliResult second = env.cli("pr-env", "delete", "--project", project, "--pr", "31", "--user", "operator");
        assertEquals(0, second.exit(), second.stdout() + second.stderr());
        assertTrue(second.stdout().contains("nothing to do"), second.stdout());
        assertNothingLeft(31);
    }

    @Test
    void should_remove_what_it_made_when_the_create_fails_half_way() throws Exception {
        // the database is made, then the filestore cannot be: a file stands where its directory goes
        Files.createDirectories(filestore(33).getParent());
        Report made;
        // a file in the way is refused before anything is made (not ours): nothing removed, the file stays
        Files.writeString(filestore(33), "someone's");
        made = create(33, "empty");
        assertEquals("failed", made.body().get("status"));
        assertTrue(String.valueOf(made.body().get("error")).contains("exists"), String.valueOf(made.body()));
        assertTrue(Files.isRegularFile(filestore(33)));
        assertFalse(databaseExists(database(33)));
        Files.delete(filestore(33));
        // a failing empty_command: the database it made is dropped, its row gone
        env.withProjectYaml("""
                pr_environments:
                  database: {host: 127.0.0.1, port: 5432, user: %s, password: "${secret:db_password}"}
                  filestore: %s/filestore/%s_pr_{pr}
                  odoo_conf: %s/odoo-pr-{pr}.conf
                  env_dir: %s
                  empty_command: [psql, -h, 127.0.0.1, -U, postgres, -d, "{database}", -v, ON_ERROR_STOP=1, -q, -c, "select no_such_function()"]
                """.formatted(env.database + "_owner", prData, project.replace('-', '_'), prData, envDir));
        try {
            TestEnvironment.CliResult r = env.cli("pr-env", "create", "--project", project, "--pr", "34", "--from", "empty",
                    "--user", "operator");
            assertEquals(1, r.exit(), r.stdout() + r.stderr());
            assertTrue(r.stdout().contains("\"failed_step\" : \"create-database\""), r.stdout());
            assertFalse(databaseExists(database(34)), r.stdout());
            assertNothingLeft(34);
        } finally {
            env.withProjectYaml(prYaml);
            fx.restart();
        }
    }

    @Test
    void should_refuse_without_the_pr_env_permission() throws Exception {
        TestEnvironment.CliResult r = env.cli("pr-env", "create", "--project", project, "--pr", "41", "--from", "empty",
                "--user", "auditor");
        assertEquals(2, r.exit(), r.stdout() + r.stderr());
        assertTrue(r.stderr().contains("pr-env"), r.stderr());
        assertFalse(databaseExists(database(41)));
        assertTrue(TestEnvironment.ops("select 1 from ops.pr_environments where project = ? and pr = 41", project).isEmpty());
        assertTrue(TestEnvironment.ops("select 1 from ops.environments where id = ?", project + "/pr-41").isEmpty(),
                "a refused request writes nothing");
    }

    @Test
    void should_leave_nothing_behind_after_a_kill_during_create_or_delete() throws Exception {
        int pr = 50;
        for (String point : List.of("pr-env:create:recorded", "pr-env:create:database-created", "pr-env:create:filestore-made",
                "pr-env:create:env-file-written")) {
            int exit = spawnKilledAt(point, "pr-env", "create", "--project", project, "--pr", String.valueOf(pr), "--from", "empty");
            assertEquals(137, exit, point);
            assertEquals("creating", TestEnvironment.ops("select status from ops.pr_environments where project = ? and pr = ?",
                    project, pr).get(0).get("status"), point);
            TestEnvironment.CliResult rec = env.cli("recover", "--env", project + "/pr-" + pr, "--user", "operator");
            assertEquals(0, rec.exit(), point + ": " + rec.stdout() + rec.stderr());
            assertNothingLeft(pr);
            pr++;
        }
        for (String point : List.of("pr-env:delete:marked", "pr-env:delete:database-dropped", "pr-env:delete:filestore-removed",
                "pr-env:delete:env-file-removed")) {
            assertEquals("success", create(pr, "empty").body().get("status"));
            int exit = spawnKilledAt(point, "pr-env", "delete", "--project", project, "--pr", String.valueOf(pr));
            assertEquals(137, exit, point);
            // the next delete finishes it
            assertTrue(delete(pr).ok(), point);
            assertNothingLeft(pr);
            pr++;
        }
        // a kill during a create, then the next create of that PR: the leftovers go first, a new one is made
        assertEquals(137, spawnKilledAt("pr-env:create:database-created", "pr-env", "create", "--project", project, "--pr",
                String.valueOf(pr), "--from", "empty"));
        Report again = create(pr, "empty");
        assertEquals("success", again.body().get("status"), String.valueOf(again.body()));
        assertTrue(String.valueOf(again.body().get("steps")).contains("leftovers_removed"), String.valueOf(again.body()));
        assertTrue(delete(pr).ok());
        assertNothingLeft(pr);
    }

    @Test
    void should_list_with_age_and_select_the_stale_ones() throws Exception {
        assertEquals("success", create(61, "empty").body().get("status"));
        opsUpdate("update ops.pr_environments set created_at = now() - interval '8 days' where project = ? and pr = 61", project);
        Report list = fx.runtime().operations().prEnvList(new PrEnvListRequest(project, "operator"));
        assertTrue(String.valueOf(list.body()).contains("age=8d"), String.valueOf(list.body()));
        assertTrue(list.body().toString().contains(project + "/pr-61"));
        // the auditor holds nothing: nothing listed
        Report none = fx.runtime().operations().prEnvList(new PrEnvListRequest(null, "auditor"));
        assertEquals("{pr_environments=[]}", none.body().toString());
        assertTrue(delete(61).ok());
    }

    @Test
    void should_create_and_delete_over_http_and_expire_a_stale_one_on_schedule() throws Exception {
        fx.restartAsService();
        try {
            Answer post = call("POST", "/runs", "{\"operation\": \"pr_env_create\", \"project\": \"" + project
                    + "\", \"pr\": 71, \"from\": \"empty\"}");
            assertEquals(202, post.status(), post.body());
            Map<String, Object> made = awaitEnd((String) post.json().get("run_id"));
            assertEquals("success", made.get("status"), made.toString());
            assertEquals(project + "/pr-71", TestEnvironment.ops("select environment_id from ops.runs where run_id = ?::uuid",
                    post.json().get("run_id")).get(0).get("environment_id"));
            assertTrue(databaseExists(database(71)));
            Answer list = call("GET", "/pr-environments?project=" + project, null);
            assertEquals(200, list.status(), list.body());
            assertTrue(list.body().contains(project + "/pr-71"), list.body());
            Answer delete = call("DELETE", "/pr-environments/" + project + "/71", null);
            assertEquals(202, delete.status(), delete.body());
            assertEquals("success", awaitEnd((String) delete.json().get("run_id")).get("status"));
            assertNothingLeft(71);

            // the expiry: a PR environment older than max_age (7d) is removed by a pr_env_expire run
            assertEquals("success", create(72, "empty").body().get("status"));
            assertEquals("success", create(73, "empty").body().get("status"));
            opsUpdate("update ops.pr_environments set created_at = now() - interval '8 days' where project = ? and pr = 72", project);
            var expiry = (dev.odooops.service.PrEnvironmentExpiry) fx.runtime().camelContext().getRegistry()
                    .lookupByName("prEnvironmentExpiry");
            Map<String, Object> fired = expiry.fired(project);
            @SuppressWarnings("unchecked")
            List<String> queued = (List<String>) fired.get("queued");
            assertEquals(1, queued.size(), fired.toString());
            assertEquals("success", awaitEnd(queued.get(0)).get("status"));
            assertEquals("pr_env_expire", TestEnvironment.ops("select operation_type from ops.runs where run_id = ?::uuid",
                    queued.get(0)).get(0).get("operation_type"));
            assertNothingLeft(72);
            assertTrue(databaseExists(database(73)), "a young one stays");
            assertTrue(delete(73).ok());
        } finally {
            fx.restart();
        }
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    record Answer(int status, String body) {
        Map<String, Object> json() {
            return dev.odooops.domain.Json.readMap(body);
        }
    }

    private Answer call(String method, String path, String body) throws Exception {
        var b = java.net.http.HttpRequest.newBuilder(java.net.URI.create(env.apiUrl() + path))
                .timeout(java.time.Duration.ofSeconds(60)).header("Authorization", "Bearer " + TestEnvironment.OPERATOR_TOKEN);
        b.method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                : java.net.http.HttpRequest.BodyPublishers.ofString(body));
        var r = java.net.http.HttpClient.newHttpClient().send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body());
    }

    private Map<String, Object> awaitEnd(String runId) throws Exception {
        java.util.concurrent.atomic.AtomicReference<Map<String, Object>> run = new java.util.concurrent.atomic.AtomicReference<>();
        dev.odooops.support.Await.until("run " + runId + " to end", () -> {
            try {
                Answer a = call("GET", "/runs/" + runId, null);
                assertEquals(200, a.status(), a.body());
                run.set(a.json());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return !List.of("queued", "running").contains(run.get().get("status"));
        });
        return run.get();
    }

    private int spawnKilledAt(String point, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--user", "operator"));
        env.withSpawnEnv("ODOO_OPS_CRASH_AT", point);
        Process p = env.spawn(env.root.resolve("crash.out"), env.root.resolve("crash.err"), all.toArray(String[]::new));
        env.withSpawnEnv("ODOO_OPS_CRASH_AT", "");
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), point + " did not end");
        return p.exitValue();
    }

    private void assertNothingLeft(int pr) throws Exception {
        assertFalse(databaseExists(database(pr)), "database of pr " + pr);
        assertFalse(Files.exists(filestore(pr)), "filestore of pr " + pr);
        assertFalse(Files.exists(envFile(pr)), ".env of pr " + pr);
        assertTrue(TestEnvironment.ops("select 1 from ops.pr_environments where project = ? and pr = ?", project, pr).isEmpty(),
                "pr_environments row of pr " + pr);
        List<Map<String, Object>> env = TestEnvironment.ops("select removed_at from ops.environments where id = ?", project + "/pr-" + pr);
        assertTrue(env.isEmpty() || env.get(0).get("removed_at") != null, "ops.environments row of pr " + pr + ": " + env);
        try (Stream<Path> s = Files.exists(envDir) ? Files.list(envDir) : Stream.empty()) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".env.pr-" + pr + ".")), "temporary .env of " + pr);
        }
    }

    private static Connection superuser(String db) throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + db, "postgres", "");
    }

    private static boolean databaseExists(String name) throws Exception {
        try (Connection c = superuser("postgres"); var ps = c.prepareStatement("select 1 from pg_database where datname = ?")) {
            ps.setString(1, name);
            return ps.executeQuery().next();
        }
    }

    private static long count(String db, String table) throws Exception {
        try (Connection c = superuser(db); ResultSet rs = c.createStatement().executeQuery("select count(*) from " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<Path> files(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).filter(p -> !p.toString().contains("/checklist/")).toList();
        }
    }

    private static void opsUpdate(String sql, Object... args) throws Exception {
        try (Connection c = superuser(TestEnvironment.OPS_DB); var ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
            assertNotEquals(0, ps.executeUpdate(), sql);
        }
    }
}
