package dev.odooops.flows;

import dev.odooops.OpsRuntime;
import dev.odooops.cli.Commands;
import dev.odooops.domain.Json;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.support.TestEnvironment;
import dev.odooops.model.Artifact;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

import static dev.odooops.support.TestEnvironment.PASSWORD;
import static dev.odooops.support.TestEnvironment.ops;
import static dev.odooops.support.TestEnvironment.sh;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A full backup of a real Odoo-shaped environment into a real S3 endpoint, checked from the outside. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BackupFlowTest {
    private TestEnvironment env;
    private OpsRuntime runtime;
    private BackupResult full;

    @BeforeAll
    void backUp() throws Exception {
        // format 1, one filestore.tar.zst per artifact: the packed format's flow is PackedFilestoreTest's
        env = TestEnvironment.create("flow").withProperty("backup.filestore-format", "archive");
        runtime = env.runtime();
        full = backup(BackupType.FULL);
        assertEquals("success", full.status(), () -> "backup failed: " + full.error());
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (runtime != null) runtime.close();
        if (env != null) env.close();
    }

    private BackupResult backup(BackupType type) {
        return runtime.operations().backup(BackupRequest.of(env.project, "prod", type, "test", null,
                null, null, "operator", "test"));
    }

    private Path storedArtifact(String artifactId) {
        return env.s3Dir.resolve("backups/ops").resolve(env.project).resolve("prod").resolve(artifactId);
    }

    @Test
    void should_write_every_evidence_file_well_formed() {
        Path dir = Path.of(full.evidenceDir());
        assertTrue(dir.startsWith(env.evidenceRoot.resolve(java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString())
                .resolve("backup")), dir.toString());
        assertEquals(full.runId(), dir.getFileName().toString());
        for (String name : List.of("inputs.json", "runtime_bindings_redacted.json", "quiesce_status.json",
                "db.dump.meta.json", "db.dump.sha256", "filestore.meta.json", "filestore.tar.zst.sha256",
                "config_snapshot.json", "artifact_registration.json", "retention_prune.json", "final_status.json")) {
            Path f = dir.resolve(name);
            assertTrue(Files.isRegularFile(f), "missing evidence " + name);
            if (name.endsWith(".json")) assertFalse(Json.readMap(f).isEmpty(), name);
        }
        Map<String, Object> fin = Json.readMap(dir.resolve("final_status.json"));
        assertEquals("success", fin.get("status"));
        assertEquals(full.artifactId(), fin.get("artifact_id"));
        assertEquals(false, fin.get("degraded_mode"));
    }

    @Test
    void should_store_files_whose_checksums_sha256sum_confirms() throws Exception {
        Path stored = storedArtifact(full.artifactId());
        // sha256sum, not our code, checks the stored data against the stored .sha256 files
        String out = sh(stored, "sha256sum", "-c", "db.dump.sha256", "filestore.tar.zst.sha256");
        assertTrue(out.contains("db.dump: OK") && out.contains("filestore.tar.zst: OK"), out);
        // and the evidence copies name the same digests
        assertEquals(Files.readString(stored.resolve("db.dump.sha256")),
                Files.readString(Path.of(full.evidenceDir(), "db.dump.sha256")));
        Artifact artifact = runtime.catalog().artifacts().artifact(full.artifactId()).orElseThrow();
        String dumpSum = sh(stored, "sha256sum", "db.dump").substring(0, 64);
        assertEquals(dumpSum, artifact.checksums().get("db.dump"));
        assertEquals(dumpSum, artifact.manifest().dbDump().sha256());
    }

    @Test
    void should_restore_the_dump_into_a_scratch_database_with_equal_row_counts() throws Exception {
        String scratch = "t_scratch_" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "")) {
            c.createStatement().execute("create database " + scratch);
        }
        try {
            sh(null, "pg_restore", "--no-owner", "--exit-on-error", "-h", "127.0.0.1", "-U", "postgres", "-d", scratch,
                    storedArtifact(full.artifactId()).resolve("db.dump").toString());
            Map<String, Long> source = counts(env.database);
            Map<String, Long> restored = counts(scratch);
            assertEquals(source, restored);
            Map<String, Object> meta = Json.readMap(Path.of(full.evidenceDir(), "db.dump.meta.json"));
            Map<String, Object> recorded = new TreeMap<>();
            source.forEach((t, n) -> recorded.put("public." + t, n.intValue()));
            assertEquals(recorded, new TreeMap<>(castMap(meta.get("row_counts"))));
            assertEquals(300L, restored.get("res_partner"));
        } finally {
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "")) {
                c.createStatement().execute("drop database if exists " + scratch + " with (force)");
            }
        }
    }

    @Test
    void should_archive_a_filestore_that_extracts_to_an_identical_tree() throws Exception {
        Path out = Files.createTempDirectory(env.root, "extract-");
        sh(out, "tar", "--zstd", "-xf", storedArtifact(full.artifactId()).resolve("filestore.tar.zst").toString());
        List<Path> original = files(env.odoo.filestore());
        List<Path> extracted = files(out);
        assertEquals(original.stream().map(p -> env.odoo.filestore().relativize(p).toString()).toList(),
                extracted.stream().map(p -> out.relativize(p).toString()).toList());
        assertEquals(60, original.size());
        for (int i = 0; i < original.size(); i++) {
            assertArrayEquals(Files.readAllBytes(original.get(i)), Files.readAllBytes(extracted.get(i)), original.get(i).toString());
        }
        Map<String, Object> meta = Json.readMap(Path.of(full.evidenceDir(), "filestore.meta.json"));
        assertEquals(60, meta.get("file_count"));
        // Odoo layout: <2 hex>/<sha1 of content>
        for (Path p : extracted) assertEquals(p.getFileName().toString(), sh(null, "sha1sum", p.toString()).substring(0, 40));
    }

    @Test
    void should_keep_the_test_password_out_of_evidence_and_stored_objects() throws Exception {
        for (Path root : List.of(Path.of(full.evidenceDir()), storedArtifact(full.artifactId()))) {
            for (Path f : files(root)) {
                String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                assertFalse(content.contains(PASSWORD), "password found in " + f);
            }
        }
        Map<String, Object> snapshot = Json.readMap(Path.of(full.evidenceDir(), "config_snapshot.json"));
        Map<String, Object> options = castMap(castMap(snapshot.get("odoo_conf")).get("options"));
        assertEquals("[REDACTED]", options.get("db_password"));
        assertEquals("[REDACTED]", options.get("admin_passwd"));
        assertEquals("[REDACTED]", options.get("smtp_password"));
        assertEquals(env.database + "_owner", options.get("db_user"));
    }

    @Test
    void should_register_the_artifact_contract_and_the_run_in_the_catalog() throws Exception {
        Artifact artifact = runtime.catalog().artifacts().artifact(full.artifactId()).orElseThrow();
        assertEquals(env.environmentId(), artifact.environmentId());
        assertEquals("full", artifact.backupType());
        var m = artifact.manifest();
        assertEquals(List.of(), m.missingFields());
        assertNotNull(m.filestore().treeDigest());
        assertEquals("17.0", m.odoo().odooVersion());
        assertEquals("15", m.odoo().dbMajorVersion());
        assertEquals("17.0.1.3", m.modulesInstalled().get("base"));
        assertEquals(env.database, m.sourceEnv().db());

        List<Map<String, Object>> run = ops("select status, evidence_dir, finished_at from ops.runs where run_id = ?::uuid", full.runId());
        assertEquals("success", run.get(0).get("status"));
        assertEquals(full.evidenceDir(), run.get(0).get("evidence_dir"));
        List<Map<String, Object>> completed = ops("select payload::text as p from ops.run_events where run_id = ?::uuid "
                + "and event_type = 'backup_completed'", full.runId());
        assertEquals(1, completed.size());
        Map<String, Object> payload = Json.readMap((String) completed.get(0).get("p"));
        assertEquals(full.artifactId(), payload.get("artifact_id"));
        assertEquals("success", payload.get("status"));
        assertEquals(false, payload.get("degraded_mode"));
        assertTrue(files(env.workDir).isEmpty(), "work directory not cleaned: " + files(env.workDir));
    }

    @Test
    void should_verify_the_stored_artifact_and_detect_a_flipped_byte() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = dev.odooops.App.run(List.of("verify-artifact", full.artifactId(), "--config", env.configDir.toString()),
                new PrintStream(out), System.err, System::getenv);
        assertEquals(0, code, out.toString());
        assertEquals(true, Json.readMap(out.toString()).get("ok"));

        BackupResult other = backup(BackupType.DB_ONLY);
        Path dump = storedArtifact(other.artifactId()).resolve("db.dump");
        byte[] bytes = Files.readAllBytes(dump);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(dump, bytes);
        out.reset();
        code = dev.odooops.App.run(List.of("verify-artifact", other.artifactId(), "--config", env.configDir.toString()),
                new PrintStream(out), System.err, System::getenv);
        assertEquals(1, code, out.toString());
        Map<String, Object> report = Json.readMap(out.toString());
        assertEquals(false, castMap(castMap(report.get("files")).get("db.dump")).get("ok"));
    }

    @Test
    void should_back_up_only_the_requested_half() throws Exception {
        BackupResult db = backup(BackupType.DB_ONLY);
        assertEquals("success", db.status(), db.error());
        assertEquals(List.of("config_snapshot.json", "db.dump", "db.dump.meta.json", "db.dump.sha256", "manifest.json"),
                names(storedArtifact(db.artifactId())));
        assertFalse(Files.exists(Path.of(db.evidenceDir(), "filestore.meta.json")));
        assertNull(runtime.catalog().artifacts().artifact(db.artifactId()).orElseThrow().manifest().filestore());

        BackupResult fs = backup(BackupType.FILESTORE_ONLY);
        assertEquals("success", fs.status(), fs.error());
        assertEquals(List.of("config_snapshot.json", "filestore.meta.json", "filestore.tar.zst", "filestore.tar.zst.sha256",
                "manifest.json"), names(storedArtifact(fs.artifactId())));
        assertNull(runtime.catalog().artifacts().artifact(fs.artifactId()).orElseThrow().manifest().dbDump());
    }

    @Test
    void should_list_artifacts_and_runs_as_json() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, dev.odooops.App.run(List.of("artifacts", "--env", env.environmentId(), "--config",
                env.configDir.toString()), new PrintStream(out), System.err, System::getenv));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> artifacts = (List<Map<String, Object>>) Json.readMap(out.toString()).get("artifacts");
        Map<String, Object> a = artifacts.stream().filter(m -> full.artifactId().equals(m.get("artifact_id"))).findFirst().orElseThrow();
        assertEquals("full", a.get("backup_type"));
        assertEquals(false, a.get("pinned"));
        assertTrue(((Number) a.get("size_bytes")).longValue() > 0, a.toString());
        assertTrue(String.valueOf(a.get("created_at")).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z"), a.toString());
        out.reset();
        assertEquals(0, dev.odooops.App.run(List.of("runs", "--env", "prod", "--project", env.project, "--limit", "50",
                "--config", env.configDir.toString()), new PrintStream(out), System.err, System::getenv));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> runs = (List<Map<String, Object>>) Json.readMap(out.toString()).get("runs");
        Map<String, Object> r = runs.stream().filter(m -> full.runId().equals(m.get("run_id"))).findFirst().orElseThrow();
        assertEquals("success", r.get("status"));
        assertEquals(full.artifactId(), r.get("artifact_id"));
        assertEquals(full.evidenceDir(), r.get("evidence_dir"));
    }

    static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    static List<Path> files(Path root) throws Exception {
        if (!Files.exists(root)) return List.of();
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }

    private static Map<String, Long> counts(String db) throws Exception {
        Map<String, Long> out = new TreeMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + db, "postgres", "")) {
            var rs = c.createStatement().executeQuery("select tablename from pg_tables where schemaname = 'public'");
            List<String> tables = new java.util.ArrayList<>();
            while (rs.next()) tables.add(rs.getString(1));
            for (String t : tables) {
                var r = c.createStatement().executeQuery("select count(*) from public." + t);
                r.next();
                out.put(t, r.getLong(1));
            }
        }
        return out;
    }

}
