package dev.odooops.flows;

import dev.odooops.domain.Json;
import dev.odooops.model.BackupType;
import dev.odooops.model.ExportZipRequest;
import dev.odooops.model.ImportZipRequest;
import dev.odooops.model.Report;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.RestoreResult;
import dev.odooops.staging.ScratchCopies;
import dev.odooops.support.FlowFixture;
import dev.odooops.support.OdooZipWriter;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 14, section 6, end to end on the machine's PostgreSQL with the real psql, pg_dump and pg_restore: a zip made
 * here in Odoo's layout (a plain pg_dump of the Odoo-shaped database, with the statements another server's dump
 * carries, its filestore under SHA-1 names, dump_db_manifest's manifest.json) imports as an artifact of kind
 * imported, restores into the environment and validates; each hostile or wrong zip is refused naming its cause,
 * leaving no scratch database, no scratch directory and no artifact; an exported zip has Odoo's layout and its
 * dump.sql loads into an empty database with ON_ERROR_STOP.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OdooZipFlowTest {
    private FlowFixture fx;
    private Path zips;
    private byte[] dumpSql;
    private String manifest;
    private int goodMembers;
    private String importedArtifact;

    @BeforeAll
    void setUp() throws Exception {
        fx = FlowFixture.standIn("zipflow");
        zips = fx.env.root.resolve("zips");
        Files.createDirectories(zips);
        // as another server's Odoo dumps it (ownership kept, its grants), plus what such a dump carries besides
        String dump = TestEnvironment.sh(fx.env.root, "pg_dump", "-h", "127.0.0.1", "-U", "postgres", "-d", fx.env.database);
        dump += "\nALTER TABLE public.res_partner OWNER TO odoo_sh_role_not_here;\n"
                + "GRANT SELECT ON TABLE public.res_partner TO odoo_sh_readonly;\n"
                + "REVOKE ALL ON SCHEMA public FROM PUBLIC;\n"
                + "COMMENT ON EXTENSION plpgsql IS 'PL/pgSQL procedural language';\n"
                + "CREATE EXTENSION IF NOT EXISTS plpgsql WITH SCHEMA pg_catalog;\n";
        dumpSql = dump.getBytes(StandardCharsets.UTF_8);
        manifest = OdooZipWriter.manifest(fx.env.database, "17.0");
        Path good = good().write(zips.resolve("good.zip"));
        try (ZipFile z = new ZipFile(good.toFile())) {
            goodMembers = z.size();
        }
        fx.env.withProperty("zip.max-members", String.valueOf(goodMembers + 5));
        fx.restart();
    }

    @AfterAll
    void tearDown() throws Exception {
        if (fx != null) fx.close();
    }

    private OdooZipWriter good() throws Exception {
        return new OdooZipWriter().member("dump.sql", dumpSql).member("manifest.json", manifest)
                .filestore(fx.env.odoo.filestore());
    }

    private Report importZip(Path zip) {
        return fx.runtime().operations().importOdooZip(new ImportZipRequest(fx.env.project, "prod", zip.toString(), null,
                "operator", "test"));
    }

    private static long importedArtifacts(String envId) throws Exception {
        return (long) ops("select count(*) as n from ops.artifacts where environment_id = ? and kind = 'imported'", envId)
                .get(0).get("n");
    }

    /** A refused zip: the run failed in its step naming the cause; no scratch database or directory, no artifact. */
    private void assertRefused(Path zip, String step, String cause) throws Exception {
        long before = importedArtifacts(fx.env.environmentId());
        Report r = importZip(zip);
        Map<String, Object> b = r.body();
        assertFalse(r.ok(), b.toString());
        assertEquals("failed", b.get("status"));
        assertEquals(step, b.get("failed_step"), b.toString());
        assertTrue(String.valueOf(b.get("error")).contains(cause), b.get("error") + " should contain " + cause);
        UUID run = UUID.fromString((String) b.get("run_id"));
        assertEquals(0, ops("select 1 from pg_database where datname = ?", ScratchCopies.database("import", run)).size(),
                "no scratch database left");
        assertFalse(Files.exists(fx.env.workDir.resolve(run.toString())), "no work or scratch directory left");
        assertEquals(before, importedArtifacts(fx.env.environmentId()), "no artifact");
        assertEquals("failed", ops("select status from ops.runs where run_id = ?", run).get(0).get("status"));
        assertTrue(Files.exists(Path.of((String) b.get("evidence_dir")).resolve("final_status.json")));
    }

    @Test
    @Order(1)
    void should_import_an_odoo_zip_then_restore_and_validate_it() throws Exception {
        Report r = importZip(zips.resolve("good.zip"));
        Map<String, Object> b = r.body();
        assertTrue(r.ok(), b.toString());
        importedArtifact = (String) b.get("artifact_id");
        assertNotNull(importedArtifact);
        assertTrue(((Number) b.get("set_aside")).longValue() >= 5,
                "the foreign owner, grant, revoke, extension comment and existing extension set aside: " + b);
        Path evidence = Path.of((String) b.get("evidence_dir"));
        Map<String, Object> aside = Json.readMap(evidence.resolve("sql_set_aside.json"));
        @SuppressWarnings("unchecked")
        Map<String, Object> byKind = (Map<String, Object>) aside.get("by_kind");
        for (String kind : List.of("owner", "grant", "revoke", "comment_on_extension", "create_existing_extension")) {
            assertTrue(byKind.containsKey(kind), kind + " in " + byKind);
        }
        assertTrue(Files.readString(evidence.resolve("set_aside.sql")).contains("odoo_sh_role_not_here"));
        for (String f : List.of("inputs.json", "zip_members.json", "odoo_manifest.json", "sql_load.json", "attachments_check.json")) {
            assertTrue(Files.exists(evidence.resolve(f)), f);
        }
        Map<String, Object> row = ops("select kind, label, run_id from ops.artifacts where id = ?", importedArtifact).get(0);
        assertEquals("imported", row.get("kind"));
        assertEquals("import-odoo-zip", row.get("label"));
        assertEquals(b.get("backup_run_id"), row.get("run_id").toString());
        assertEquals(b.get("run_id"), ops("select parent_run_id from ops.runs where run_id = ?", row.get("run_id"))
                .get(0).get("parent_run_id").toString(), "the artifact's backup is the import's child run");
        UUID run = UUID.fromString((String) b.get("run_id"));
        assertEquals(0, ops("select 1 from pg_database where datname = ?", ScratchCopies.database("import", run)).size());

        // the environment changes after the zip was made: the restore brings the zip's content back
        fx.sql("insert into res_partner(name, email) values ('after the zip', 'after@example.com')");
        RestoreResult restored = fx.restore(importedArtifact, BackupType.FULL, RestoreRequest.Mode.AUTO);
        assertEquals("success", restored.status(), restored.error());
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + fx.env.database, "postgres", "");
             ResultSet rs = c.createStatement().executeQuery("select count(*) from res_partner where name = 'after the zip'")) {
            rs.next();
            assertEquals(0, rs.getInt(1));
        }
    }

    @Test
    @Order(2)
    void should_refuse_a_failing_statement_naming_its_line() throws Exception {
        String broken = new String(dumpSql, StandardCharsets.UTF_8) + "CREATE TABLE public.broken (id integer REFERENCES public.nowhere(id));\n";
        long line = broken.lines().count();
        Path zip = new OdooZipWriter().member("dump.sql", broken).member("manifest.json", manifest)
                .filestore(fx.env.odoo.filestore()).write(zips.resolve("failing-sql.zip"));
        assertRefused(zip, "load-sql", "dump.sql line " + line + ": ERROR:");
    }

    @Test
    @Order(3)
    void should_refuse_a_traversal_member() throws Exception {
        assertRefused(good().member("../escape.txt", "x").write(zips.resolve("traversal.zip")), "check-zip", "'../escape.txt'");
        assertFalse(Files.exists(fx.env.workDir.resolve("escape.txt")));
    }

    @Test
    @Order(4)
    void should_refuse_a_symlink_member() throws Exception {
        String sha = "ab" + "cd".repeat(19);
        assertRefused(good().symlink("filestore/ab/" + sha, "/etc/passwd").write(zips.resolve("symlink.zip")), "check-zip",
                "symbolic link");
    }

    @Test
    @Order(5)
    void should_refuse_a_filestore_file_whose_name_is_not_its_sha1() throws Exception {
        String wrong = "ab" + "0".repeat(38);
        assertRefused(good().member("filestore/ab/" + wrong, "not what the name says").write(zips.resolve("wrong-sha1.zip")),
                "extract-zip", "filestore/ab/" + wrong);
    }

    @Test
    @Order(5)
    void should_refuse_more_members_than_configured() throws Exception {
        OdooZipWriter w = good();
        for (int i = 0; i < 10; i++) w.filestoreFile(("extra " + i).getBytes(StandardCharsets.UTF_8));
        assertRefused(w.write(zips.resolve("too-many.zip")), "check-zip", "zip.max-members");
    }

    @Test
    @Order(6)
    void should_refuse_a_bomb_member() throws Exception {
        Path zip = OdooZipWriter.bomb(zips.resolve("bomb.zip"), "dump.sql", 64L << 20,
                Map.of("manifest.json", manifest.getBytes(StandardCharsets.UTF_8)));
        assertRefused(zip, "check-zip", "zip bomb");
    }

    @Test
    @Order(7)
    void should_refuse_a_zip_of_another_series_naming_the_field() throws Exception {
        Path zip = new OdooZipWriter().member("dump.sql", dumpSql).member("manifest.json", OdooZipWriter.manifest("x", "16.0"))
                .write(zips.resolve("odoo16.zip"));
        assertRefused(zip, "check-manifest", "version: the zip is of Odoo 16.0, the environment runs Odoo 17.0");
    }

    @Test
    @Order(8)
    void should_export_an_artifact_in_odoo_layout_whose_dump_loads_with_on_error_stop() throws Exception {
        String yaml = Files.readString(fx.env.configDir.resolve("environments.yaml"));
        Files.writeString(fx.env.configDir.resolve("environments.yaml"),
                yaml.replaceFirst("actions: \\[backup, restore\\]", "actions: [backup, restore, copy]"));
        fx.restart();
        String artifact = importedArtifact != null ? importedArtifact : fx.backup().artifactId();
        Path out = zips.resolve("export.zip");
        Report r = fx.runtime().operations().exportOdooZip(new ExportZipRequest(null, null, artifact, out.toString(),
                "operator", "test"));
        assertTrue(r.ok(), r.body().toString());
        assertFalse(Files.exists(zips.resolve("export.zip.part")));
        String load = "t_zipload" + TestEnvironment.SUFFIX;
        try (ZipFile z = new ZipFile(out.toFile())) {
            Map<String, Object> m = Json.readMap(new String(z.getInputStream(z.getEntry("manifest.json")).readAllBytes(),
                    StandardCharsets.UTF_8));
            assertEquals("1", m.get("odoo_dump"));
            assertEquals(fx.env.database, m.get("db_name"));
            assertEquals("17.0", m.get("version"));
            assertEquals("17.0", m.get("major_version"));
            assertEquals(List.of(17, 0, 0, "final", 0, ""), m.get("version_info"));
            assertTrue(String.valueOf(m.get("pg_version")).matches("\\d+\\.0"), String.valueOf(m.get("pg_version")));
            assertEquals("17.0.1.3", ((Map<?, ?>) m.get("modules")).get("base"));
            int files = 0;
            for (ZipEntry e : java.util.Collections.list(z.entries())) {
                if (!e.getName().startsWith("filestore/") || e.getName().startsWith("filestore/checklist/")) continue;
                String sha = OdooZipWriter.sha1(z.getInputStream(e).readAllBytes());
                assertEquals("filestore/" + sha.substring(0, 2) + "/" + sha, e.getName());
                files++;
            }
            assertEquals(fx.env.odoo.attachmentFiles(), files);
            Path sql = zips.resolve("exported-dump.sql");
            Files.copy(z.getInputStream(z.getEntry("dump.sql")), sql);
            TestEnvironment.sh(zips, "psql", "-h", "127.0.0.1", "-U", "postgres", "-X", "-q", "-d", "postgres", "-c",
                    "drop database if exists " + load);
            TestEnvironment.sh(zips, "psql", "-h", "127.0.0.1", "-U", "postgres", "-X", "-q", "-d", "postgres", "-c",
                    "create database " + load);
            TestEnvironment.sh(zips, "psql", "-h", "127.0.0.1", "-U", "postgres", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                    "-d", load, "-f", sql.toString());
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + load, "postgres", "");
                 ResultSet rs = c.createStatement().executeQuery("select count(*) from ir_attachment where store_fname is not null")) {
                rs.next();
                assertTrue(rs.getInt(1) > 0);
            }
        } finally {
            TestEnvironment.sh(zips, "psql", "-h", "127.0.0.1", "-U", "postgres", "-X", "-q", "-d", "postgres", "-c",
                    "drop database if exists " + load);
        }
        // never overwrites
        Report again = null;
        try {
            again = fx.runtime().operations().exportOdooZip(new ExportZipRequest(null, null, artifact, out.toString(),
                    "operator", "test"));
        } catch (dev.odooops.domain.RequestRejected e) {
            assertEquals("out", e.field());
        }
        assertEquals(null, again);
    }

    @Test
    @Order(9)
    void should_drop_the_scratch_database_an_ended_import_left_at_the_next_import() throws Exception {
        // a killed import leaves its scratch database; the next run's start (staging.ScratchSweep) drops it
        Report earlier = importZip(zips.resolve("odoo16.zip")); // any ended import run of this environment
        UUID ended = UUID.fromString((String) earlier.body().get("run_id"));
        String left = ScratchCopies.database("import", ended);
        TestEnvironment.sh(zips, "psql", "-h", "127.0.0.1", "-U", "postgres", "-X", "-q", "-d", "postgres", "-c",
                "create database " + left + " owner " + fx.env.database + "_owner", "-c",
                "comment on database " + left + " is 'odoo-ops scratch of run " + ended + "'");
        String foreign = ScratchCopies.database("import", UUID.randomUUID()); // not this catalog's: left alone
        TestEnvironment.sh(zips, "psql", "-h", "127.0.0.1", "-U", "postgres", "-X", "-q", "-d", "postgres", "-c",
                "create database " + foreign);
        try {
            Report next = importZip(zips.resolve("traversal.zip"));
            assertFalse(next.ok());
            assertEquals(0, ops("select 1 from pg_database where datname = ?", left).size(), "the ended run's scratch dropped");
            assertEquals(1, ops("select 1 from pg_database where datname = ?", foreign).size(), "an unknown one left alone");
        } finally {
            TestEnvironment.sh(zips, "psql", "-h", "127.0.0.1", "-U", "postgres", "-X", "-q", "-d", "postgres", "-c",
                    "drop database if exists " + foreign);
            TestEnvironment.sh(zips, "psql", "-h", "127.0.0.1", "-U", "postgres", "-X", "-q", "-d", "postgres", "-c",
                    "drop database if exists " + left);
        }
    }

    @Test
    @Order(9)
    void should_fail_in_store_artifact_and_drop_the_scratch_when_the_store_is_down() throws Exception {
        fx.env.storeFaults.fail("putBlob", Integer.MAX_VALUE);
        try {
            assertRefused(zips.resolve("good.zip"), "store-artifact", "storing the artifact failed");
        } finally {
            fx.env.storeFaults.clear();
        }
    }

    @Test
    @Order(9)
    void should_leave_nothing_of_an_import_killed_half_way_after_the_next_import() throws Exception {
        Path err = fx.env.root.resolve("import-killed.err");
        fx.env.withSpawnEnv("ODOO_OPS_CRASH_AT", "import-zip:loaded");
        Process killed = fx.env.spawn(fx.env.root.resolve("import-killed.out"), err, "import-odoo-zip", "--env",
                fx.env.environmentId(), "--file", zips.resolve("good.zip").toString());
        assertTrue(killed.waitFor(180, java.util.concurrent.TimeUnit.SECONDS), "the import did not end");
        fx.env.withSpawnEnv("ODOO_OPS_CRASH_AT", "");
        assertEquals(137, killed.exitValue(), Files.readString(err));
        List<Map<String, Object>> running = ops("select run_id from ops.runs where environment_id = ? and operation_type = 'import_zip' "
                + "and status = 'running'", fx.env.environmentId());
        assertEquals(1, running.size(), running.toString());
        UUID dead = (UUID) running.get(0).get("run_id");
        String scratch = ScratchCopies.database("import", dead);
        assertEquals(1, ops("select 1 from pg_database where datname = ?", scratch).size(), "the killed run's scratch database");
        assertTrue(Files.isDirectory(fx.env.workDir.resolve(dead.toString()).resolve("scratch-import-" + ScratchCopies.tag(dead))));

        Report next = importZip(zips.resolve("traversal.zip"));
        assertFalse(next.ok());
        assertEquals("abandoned", ops("select status from ops.runs where run_id = ?", dead).get(0).get("status"));
        assertEquals(0, ops("select 1 from pg_database where datname = ?", scratch).size(), "its scratch database dropped");
        assertFalse(Files.exists(fx.env.workDir.resolve(dead.toString())), "its work and scratch directory removed");
    }

    @Test
    @Order(10)
    void should_import_from_the_command_line_and_refuse_to_overwrite_an_export() throws Exception {
        Path relative = Path.of("").toAbsolutePath().relativize(zips.resolve("good.zip"));
        TestEnvironment.CliResult r = fx.env.cli("import-odoo-zip", "--env", fx.env.environmentId(), "--file", relative.toString());
        assertEquals(0, r.exit(), r.stdout() + r.stderr());
        Map<String, Object> b = Json.readMap(r.stdout());
        assertEquals("success", b.get("status"));
        assertEquals(zips.resolve("good.zip").toString(), b.get("file"));
        TestEnvironment.CliResult again = fx.env.cli("export-odoo-zip", (String) b.get("artifact_id"), "--out",
                zips.resolve("export.zip").toString());
        assertEquals(2, again.exit(), again.stdout() + again.stderr());
        assertTrue(again.stderr().contains("out: "), again.stderr());
        TestEnvironment.CliResult bad = fx.env.cli("import-odoo-zip", "--env", fx.env.environmentId(), "--file",
                zips.resolve("missing.zip").toString());
        assertEquals(2, bad.exit(), bad.stdout() + bad.stderr());
        assertTrue(bad.stderr().contains("file: "), bad.stderr());
    }

    @Test
    @Order(11)
    void should_queue_an_import_over_http_as_the_tokens_user() throws Exception {
        fx.env.withServicePorts();
        fx.restartAsService();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.util.function.BiFunction<String, String, java.net.http.HttpResponse<String>> call = (method, body) -> {
            try {
                var b = java.net.http.HttpRequest.newBuilder(java.net.URI.create(fx.env.apiUrl() + method))
                        .header("Authorization", "Bearer " + TestEnvironment.OPERATOR_TOKEN)
                        .timeout(java.time.Duration.ofSeconds(60));
                if (body != null) b.header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(body));
                return http.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        var refused = call.apply("/runs", "{\"operation\": \"import_zip\", \"environment\": \"" + fx.env.environmentId()
                + "\", \"file\": \"good.zip\"}");
        assertEquals(400, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("file"), refused.body());
        var accepted = call.apply("/runs", "{\"operation\": \"import_zip\", \"environment\": \"" + fx.env.environmentId()
                + "\", \"file\": \"" + zips.resolve("good.zip") + "\"}");
        assertEquals(202, accepted.statusCode(), accepted.body());
        String runId = (String) Json.readMap(accepted.body()).get("run_id");
        java.util.concurrent.atomic.AtomicReference<Map<String, Object>> run = new java.util.concurrent.atomic.AtomicReference<>();
        dev.odooops.support.Await.until("import run " + runId + " to end", () -> {
            run.set(Json.readMap(call.apply("/runs/" + runId, null).body()));
            return !List.of("queued", "running").contains(run.get().get("status"));
        });
        assertEquals("success", run.get().get("status"), run.get().toString());
        Map<String, Object> row = ops("select operation_type, created_by, channel from ops.runs where run_id = ?::uuid", runId).get(0);
        assertEquals("import_zip", row.get("operation_type"));
        assertEquals("operator", row.get("created_by"));
        assertEquals(1L, (long) ops("select count(*) as n from ops.runs where parent_run_id = ?::uuid and status = 'success'", runId)
                .get(0).get("n"), "the artifact's backup ran as the queued run's child");
    }
}
