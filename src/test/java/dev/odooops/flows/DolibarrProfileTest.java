package dev.odooops.flows;

import dev.odooops.OpsRuntime;
import dev.odooops.domain.ArtifactManifest;
import dev.odooops.domain.Checksums;
import dev.odooops.domain.FilestoreIndex;
import dev.odooops.domain.Json;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.RestoreResult;
import dev.odooops.support.DolibarrShape;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.odooops.support.TestEnvironment.ops;
import static dev.odooops.support.TestEnvironment.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Dolibarr profile (issue #8 part 5) against the real PostgreSQL, store, tar and zstd: a Dolibarr environment
 * (a database with Dolibarr's tables plus its documents directory) is backed up and restored by the same steps
 * with the same evidence as an Odoo; its scratch directories (<code>*&#47;temp/*</code>) are neither stored nor
 * fingerprinted; its volatile tables do not make a backup necessary; its validations are its own (enabled modules,
 * version, row counts, document tree digest, llx_ecm_files).
 */
class DolibarrProfileTest {
    private TestEnvironment env;
    private OpsRuntime runtime;

    @AfterEach
    void cleanUp() throws Exception {
        if (runtime != null) runtime.close();
        if (env != null) env.close();
    }

    private void start(String format, boolean skipUnchanged) throws Exception {
        env = TestEnvironment.createDolibarr("doli").withLocalStore().withType("staging")
                .withProperty("backup.filestore-format", format)
                .withProperty("backup.skip-unchanged", String.valueOf(skipUnchanged));
        runtime = env.runtime();
    }

    private BackupResult backup() {
        return runtime.operations().backup(BackupRequest.of(env.project, "prod", BackupType.FULL, null, null, null, null,
                "operator", "test"));
    }

    private RestoreResult restore(String artifactId) {
        return runtime.operations().restore(new RestoreRequest(env.project, "prod", artifactId, BackupType.FULL,
                true, true, null, "operator", "test"));
    }

    private Path documents() {
        return env.odoo.filestore();
    }

    /** Every file below the documents directory but the scratch space, with its SHA-1. */
    private Map<String, String> documentsTree() throws Exception {
        Map<String, String> out = new java.util.TreeMap<>();
        try (Stream<Path> s = Files.walk(documents())) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                String rel = documents().relativize(f).toString();
                if (!rel.contains("/temp/")) out.put(rel, Checksums.sha1(f));
            }
        }
        return out;
    }

    /**
     * Runs {@code statement}, then has this session hand its table statistics to the server at once (PostgreSQL 15's
     * {@code pg_stat_force_next_flush()}: the flush happens before that call returns), rather than within the second
     * a backend may keep them: the next backup's write counters see the write.
     */
    private void sql(String statement) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + env.database, "postgres", "")) {
            c.createStatement().execute(statement);
            c.createStatement().execute("select pg_stat_force_next_flush()");
        }
    }

    private long count(String table) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + env.database, "postgres", "");
             ResultSet rs = c.createStatement().executeQuery("select count(*) from " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"packed", "archive"})
    void should_back_up_and_restore_a_dolibarr_environment_with_its_own_checks(String format) throws Exception {
        start(format, false);
        Map<String, String> before = documentsTree();
        BackupResult b = backup();
        assertEquals("success", b.status(), b.error());
        assertTrue(b.warnings().isEmpty(), "a healthy Dolibarr backs up without warnings: " + b.warnings());
        Path evidence = Path.of(b.evidenceDir());

        // the manifest names the application, its version and its enabled modules (llx_const, value 1, per entity)
        ArtifactManifest manifest = runtime.catalog().artifacts().artifact(b.artifactId()).orElseThrow().manifest();
        assertEquals("dolibarr", manifest.odoo().app());
        assertEquals(DolibarrShape.VERSION, manifest.odoo().appVersion());
        assertEquals(Map.of("societe", "enabled", "facture", "enabled", "ecm", "enabled", "cron", "enabled",
                "mymodule", "enabled", "facture@2", "enabled"), manifest.odoo().modulesInstalled());
        assertEquals(before.size(), manifest.filestore().fileCount(), "every document, no scratch file");

        // conf.php is snapshotted with its secrets redacted, the custom module found
        String snapshot = Files.readString(evidence.resolve("config_snapshot.json"));
        for (String secret : List.of(TestEnvironment.PASSWORD, DolibarrShape.INSTANCE_ID, DolibarrShape.CRYPTKEY)) {
            assertFalse(snapshot.contains(secret), "a secret of conf.php reached the snapshot");
        }
        Map<String, Object> snap = Json.readMap(evidence.resolve("config_snapshot.json"));
        @SuppressWarnings("unchecked")
        Map<String, Object> options = (Map<String, Object>) ((Map<String, Object>) snap.get("dolibarr_conf")).get("options");
        assertEquals("[REDACTED]", options.get("dolibarr_main_db_pass"));
        assertEquals(env.database, options.get("dolibarr_main_db_name"));
        assertTrue(snapshot.contains("\"mymodule\""), snapshot);

        // llx_ecm_files is the reference list: every indexed document (entity 2's below 2/) was found
        Map<String, Object> check = Json.readMap(evidence.resolve("filestore_check.json"));
        assertEquals(Boolean.TRUE, check.get("references_read"), check.toString());
        assertEquals(32, ((Number) check.get("referenced")).intValue());
        assertEquals(0, ((Number) check.get("missing")).intValue());

        // the scratch space is not stored
        Path stored = env.localStoreDir().resolve(env.project).resolve("prod").resolve(b.artifactId());
        String listing = format.equals("packed") ? Files.readString(stored.resolve(FilestoreIndex.FILE))
                : sh(null, "tar", "--zstd", "-tf", stored.resolve("filestore.tar.zst").toString());
        assertFalse(listing.contains("temp"), listing);
        assertTrue(listing.contains("2/facture/FA2601-0032/FA2601-0032.pdf"), listing);
        assertTrue(listing.contains("install.lock"), listing);

        // damage: an invoice and its PDF gone, a customer added, new scratch files
        sql("delete from llx_ecm_files where filename = 'FA2601-0003.pdf'");
        sql("delete from llx_facture where ref = 'FA2601-0003'");
        sql("insert into llx_societe(nom, client) values ('Late customer', 1)");
        Files.delete(documents().resolve("facture/FA2601-0003/FA2601-0003.pdf"));
        Files.writeString(documents().resolve("facture/FA2601-0001/FA2601-0001.pdf"), "regenerated, different content");
        DolibarrShape.writeTemp(documents());

        RestoreResult r = restore(b.artifactId());
        assertEquals("success", r.status(), r.error() + " in " + r.failedStep());
        assertEquals(before, documentsTree(), "the documents are the backed-up ones again");
        assertFalse(Files.exists(documents().resolve("facture/temp")), "the scratch space is not restored");
        assertEquals(30, count("llx_facture where entity = 1"));
        assertEquals(40, count("llx_societe"));

        Map<String, Object> report = Json.readMap(Path.of(r.evidenceDir()).resolve("validation_report.json"));
        assertEquals(Boolean.TRUE, report.get("ok"), report.toString());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> checks = (List<Map<String, Object>>) report.get("checks");
        Map<String, String> status = new java.util.LinkedHashMap<>();
        checks.forEach(c -> status.put(String.valueOf(c.get("name")), String.valueOf(c.get("status"))));
        assertEquals(List.of("modules", "version", "row_counts", "data_samples", "documents", "references",
                "dolibarr_command", "dolibarr_log"), List.copyOf(status.keySet()));
        for (String name : List.of("modules", "version", "row_counts", "data_samples", "documents", "references")) {
            assertEquals("passed", status.get(name), name + " in " + report);
        }
    }

    @Test
    void should_fail_the_documents_check_when_the_restored_tree_is_not_the_artifacts() throws Exception {
        start("packed", false);
        BackupResult b = backup();
        assertEquals("success", b.status(), b.error());
        // a document the artifact does not hold, written by the start command once the restored tree is live
        Path stray = documents().resolve("facture/FA2601-0002/stray.pdf");
        env.withOdooYaml("start: {command: [\"sh\", \"-c\", \"echo stray > " + stray + "\"]}");
        runtime.close();
        runtime = env.runtime();

        RestoreResult r = restore(b.artifactId());
        assertEquals("rolled_back", r.status(), "a tree other than the artifact's fails validation: " + r.error());
        assertEquals("validate", r.failedStep(), r.error());
        assertTrue(r.error().contains("documents"), r.error());
    }

    @Test
    void should_skip_when_only_volatile_tables_or_scratch_files_changed_and_not_after_a_real_change() throws Exception {
        start("packed", true);
        BackupResult first = backup();
        assertEquals("success", first.status(), first.error());

        // Dolibarr writing its security log; new scratch files (its settings, llx_const, are not volatile: below)
        sql("insert into llx_events(type, dateevent, description) values ('USER_LOGIN', now(), 'login admin')");
        DolibarrShape.writeTemp(documents());
        BackupResult quiet = backup();
        assertEquals("skipped_unchanged", quiet.status(), quiet.error());
        assertEquals(first.artifactId(), quiet.artifactId());

        sql("insert into llx_facture(ref, fk_soc, datef) values ('FA2612-0001', 1, current_date)");
        BackupResult real = backup();
        assertEquals("success", real.status(), "a new invoice is a change: " + real.error());

        // a document rewritten under its name is stored again: Dolibarr's names say nothing of the content
        Files.write(documents().resolve("install.lock"), new byte[]{'x'});
        BackupResult after = backup();
        assertEquals("success", after.status(), "a changed document is backed up: " + after.error());
        Map<String, Object> meta = Json.readMap(Path.of(after.evidenceDir()).resolve("filestore.meta.json"));
        assertEquals(0, ((Number) meta.get("known_by_name")).intValue(), "Dolibarr's names say nothing of content");
        assertEquals(1, ((Number) meta.get("new_files")).intValue(), meta.toString());
        List<Map<String, Object>> runs = ops("select status from ops.runs where environment_id = ? and operation_type = 'backup' "
                + "order by started_at", env.environmentId());
        assertEquals(List.of("success", "skipped_unchanged", "success", "success"),
                runs.stream().map(m -> String.valueOf(m.get("status"))).toList());
    }

    private void disaster() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "")) {
            c.createStatement().execute("drop database " + env.database + " with (force)");
        }
        dev.odooops.demo.DemoEnvironment.deleteTree(documents());
    }

    private boolean databaseExists() throws Exception {
        return !ops("select 1 from pg_database where datname = ?", env.database).isEmpty();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> checkDetails(RestoreResult r) {
        Map<String, Object> report = Json.readMap(Path.of(r.evidenceDir()).resolve("validation_report.json"));
        Map<String, String> out = new java.util.LinkedHashMap<>();
        ((List<Map<String, Object>>) report.get("checks")).forEach(c -> out.put(c.get("name") + "/" + c.get("status"),
                String.valueOf(c.get("detail"))));
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"packed", "archive"})
    void should_restore_after_a_disaster_an_artifact_whose_backup_found_a_document_missing_and_report_it(String format)
            throws Exception {
        start(format, false);
        Files.delete(documents().resolve("facture/FA2601-0005/FA2601-0005.pdf")); // llx_ecm_files still indexes it
        BackupResult b = backup();
        assertEquals("success", b.status(), b.error());
        assertTrue(b.warnings().toString().contains("FA2601-0005.pdf"), b.warnings().toString());
        Map<String, Object> meta = Json.readMap(Path.of(b.evidenceDir()).resolve("filestore.meta.json"));
        assertEquals(List.of("facture/FA2601-0005/FA2601-0005.pdf"), meta.get("missing_paths"));
        disaster();

        RestoreResult r = restore(b.artifactId());

        assertEquals("success", r.status(), r.error() + " in " + r.failedStep());
        assertTrue(databaseExists());
        assertEquals(30, count("llx_facture where entity = 1"));
        Map<String, String> checks = checkDetails(r);
        String references = checks.get("references/passed");
        assertTrue(references != null && references.contains("FA2601-0005.pdf") && references.contains("reported"),
                checks.toString());

        // a document missing now that the artifact held is still a failure
        Files.delete(documents().resolve("facture/FA2601-0007/FA2601-0007.pdf"));
        env.withOdooYaml("start: {command: [\"rm\", \"-f\", \"" + documents().resolve("facture/FA2601-0007/FA2601-0007.pdf") + "\"]}");
        runtime.close();
        runtime = env.runtime();
        RestoreResult again = restore(b.artifactId());
        assertEquals("rolled_back", again.status(), again.error());
        assertTrue(again.error().contains("FA2601-0007.pdf") && !again.error().contains("FA2601-0005.pdf missing,"), again.error());
    }

    private RestoreResult failedDisasterRestore() throws Exception {
        start("packed", false);
        Files.writeString(documents().resolve("dolibarr.log"), "2026-12-01 10:00:00 INFO 127.0.0.1 before\n");
        BackupResult b = backup();
        assertEquals("success", b.status(), b.error());
        disaster();
        env.withOdooYaml("validate_command: [\"false\"]");
        runtime.close();
        runtime = env.runtime();
        RestoreResult r = restore(b.artifactId());
        assertEquals("failed", r.status(), r.error());
        assertEquals("validate", r.failedStep(), r.error());
        assertTrue(r.error().contains("odoo-ops accept " + r.runId()) && r.error().contains("odoo-ops discard " + r.runId()),
                r.error());
        // the restored copy is kept, never deleted: the database and the documents are there
        assertTrue(databaseExists(), "the restored database is kept");
        assertEquals(30, count("llx_facture where entity = 1"));
        assertTrue(Files.exists(documents().resolve("facture/FA2601-0001/FA2601-0001.pdf")), "the restored documents are kept");
        Map<String, Object> fin = Json.readMap(Path.of(r.evidenceDir()).resolve("final_status.json"));
        assertEquals(Boolean.TRUE, fin.get("kept_for_decision"), fin.toString());
        assertEquals("kept", Json.readMap(Path.of(r.evidenceDir()).resolve("rollback.json")).get("outcome"));
        env.withOdooYaml(null);
        runtime.close();
        runtime = env.runtime();
        return r;
    }

    private dev.odooops.model.Report decide(String run, dev.odooops.model.RestoreDecisionRequest.Decision d, String user) {
        return runtime.operations().decideRestore(dev.odooops.model.RestoreDecisionRequest.of("run_id", run, d, user, "test"));
    }

    @Test
    void should_keep_a_disaster_restore_whose_validation_fails_until_the_operator_accepts_it() throws Exception {
        RestoreResult r = failedDisasterRestore();
        var refused = org.junit.jupiter.api.Assertions.assertThrows(dev.odooops.domain.RequestRejected.class,
                () -> decide(r.runId(), dev.odooops.model.RestoreDecisionRequest.Decision.ACCEPT, "auditor"));
        assertEquals("user", refused.field());

        dev.odooops.model.Report accepted = decide(r.runId(), dev.odooops.model.RestoreDecisionRequest.Decision.ACCEPT, "operator");

        assertTrue(accepted.ok(), accepted.body().toString());
        assertTrue(databaseExists());
        assertEquals(30, count("llx_facture where entity = 1"));
        Map<String, Object> run = ops("select metadata->>'decision' as d, metadata->>'decided_by' as u from ops.runs "
                + "where run_id = ?::uuid", r.runId()).get(0);
        assertEquals("accepted", run.get("d"));
        assertEquals("operator", run.get("u"));
        var twice = org.junit.jupiter.api.Assertions.assertThrows(dev.odooops.domain.RequestRejected.class,
                () -> decide(r.runId(), dev.odooops.model.RestoreDecisionRequest.Decision.DISCARD, "operator"));
        assertEquals("run_id", twice.field());
        assertTrue(twice.getMessage().contains("accepted"), twice.getMessage());
    }

    @Test
    void should_remove_a_kept_disaster_restore_when_the_operator_discards_it() throws Exception {
        RestoreResult r = failedDisasterRestore();

        dev.odooops.model.Report discarded = decide(r.runId(), dev.odooops.model.RestoreDecisionRequest.Decision.DISCARD, "operator");

        assertTrue(discarded.ok(), discarded.body().toString());
        assertFalse(databaseExists(), "the restored database is removed: there was none before");
        assertFalse(Files.exists(documents().resolve("facture")), "the restored documents are removed");
        assertEquals("discarded", ops("select metadata->>'decision' as d from ops.runs where run_id = ?::uuid", r.runId())
                .get(0).get("d"));
    }

    /**
     * A discard killed once the restored documents are moved aside (no live tree, the log inside the aside copy): the
     * next run's sweep removes that copy, and Dolibarr's log is moved back live first, never removed with it.
     */
    @Test
    void should_keep_dolibarr_log_when_a_killed_discard_is_finished() throws Exception {
        RestoreResult r = failedDisasterRestore();
        Path log = documents().resolve("dolibarr.log");
        Files.writeString(log, "2026-12-01 12:00:00 INFO 127.0.0.1 a line of the kept copy\n",
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        String lines = Files.readString(log);
        runtime.close();
        runtime = null;
        env.withSpawnEnv("ODOO_OPS_CRASH_AT", "discard:files-moved-aside");
        Process p = env.spawn(env.root.resolve("discard.out"), env.root.resolve("discard.err"), "discard", r.runId());
        env.withSpawnEnv("ODOO_OPS_CRASH_AT", "");
        assertEquals(137, p.waitFor(), Files.readString(env.root.resolve("discard.err")));
        assertFalse(Files.exists(log), "killed with the documents (and the log) moved aside");
        runtime = env.runtime();

        dev.odooops.model.Report discarded = decide(r.runId(), dev.odooops.model.RestoreDecisionRequest.Decision.DISCARD, "operator");

        assertTrue(discarded.ok(), discarded.body().toString());
        assertFalse(Files.exists(documents().resolve("facture")), "the restored documents are removed");
        assertEquals(lines, Files.readString(log), "the log is kept live, never removed with the aside copy");
    }

    @Test
    void should_leave_dolibarr_log_alone_on_restore_and_rollback() throws Exception {
        start("packed", false);
        Path log = documents().resolve("dolibarr.log");
        Files.writeString(log, "2026-12-01 10:00:00 INFO 127.0.0.1 before the backup\n");
        BackupResult b = backup();
        assertEquals("success", b.status(), b.error());
        Files.writeString(log, "2026-12-01 11:00:00 INFO 127.0.0.1 after the backup\n", java.nio.file.StandardOpenOption.APPEND);
        String before = Files.readString(log);

        RestoreResult ok = restore(b.artifactId());
        assertEquals("success", ok.status(), ok.error());
        assertEquals(before, Files.readString(log), "a restore neither replaces nor removes the live log");

        // the failed attempt writes its lines (Dolibarr serving the restored copy), then validation fails: rolled back
        sql("insert into llx_societe(nom, client) values ('Changed since', 1)");
        env.withOdooYaml("start: {command: [\"sh\", \"-c\", \"echo attempt-line >> " + log + "\"]}\n"
                + "validate_command: [\"false\"]");
        runtime.close();
        runtime = env.runtime();
        RestoreResult failed = restore(b.artifactId());
        assertEquals("rolled_back", failed.status(), failed.error());
        String after = Files.readString(log);
        assertTrue(after.startsWith(before) && after.contains("attempt-line"), "the failed attempt's lines are kept: " + after);
    }

    private long writesTo(String table) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + env.database, "postgres", "");
             ResultSet rs = c.createStatement().executeQuery("select coalesce(n_tup_ins + n_tup_upd + n_tup_del, 0) "
                     + "from pg_stat_all_tables where relname = '" + table + "'")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** Runs a write and waits until PostgreSQL's statistics (what skip-if-unchanged reads) count it. */
    private void counted(String table, String statement) throws Exception {
        long before = writesTo(table);
        sql(statement);
        dev.odooops.support.Await.until(table + "'s write in the statistics", () -> {
            try {
                return writesTo(table) > before;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void should_back_up_a_setup_change_alone_in_llx_const_or_conf_php() throws Exception {
        start("packed", true);
        BackupResult first = backup();
        assertEquals("success", first.status(), first.error());

        // a changed numbering rule: Dolibarr's settings live in llx_const
        counted("llx_const", "insert into llx_const(name, entity, value) values ('FACTURE_MERCURE_MASK_INVOICE', 1, 'FA{yy}{mm}-{0000}')");
        BackupResult numbering = backup();
        assertEquals("success", numbering.status(), "a setup change is backed up: " + numbering.error());

        BackupResult quiet = backup();
        assertEquals("skipped_unchanged", quiet.status(), quiet.error());

        // a changed conf.php (odoo.conf likewise) is a change too
        Files.writeString(env.odoo.appConf(), Files.readString(env.odoo.appConf()) + "$dolibarr_main_prod='0';\n");
        BackupResult conf = backup();
        assertEquals("success", conf.status(), "a changed conf.php is backed up: " + conf.error());
        Map<String, Object> check = Json.readMap(Path.of(conf.evidenceDir()).resolve("unchanged_check.json"));
        assertTrue(String.valueOf(check.get("reason")).contains("config"), check.toString());
    }

    @Test
    void should_refuse_a_backup_whose_conf_php_or_documents_directory_is_another_installations() throws Exception {
        start("packed", false);
        String conf = Files.readString(env.odoo.appConf());
        Files.writeString(env.odoo.appConf(), conf.replace("$dolibarr_main_db_name='" + env.database + "'",
                "$dolibarr_main_db_name='dolibarr_other'").replace(documents().toString(), "/srv/other/documents"));
        var refused = org.junit.jupiter.api.Assertions.assertThrows(dev.odooops.domain.RequestRejected.class, this::backup);
        assertEquals("dolibarr_conf", refused.field());
        assertTrue(refused.getMessage().contains("dolibarr_other") && refused.getMessage().contains("/srv/other/documents"),
                refused.getMessage());
        Files.writeString(env.odoo.appConf(), conf);

        // a documents directory holding none of the referenced files: the wrong one, refused before any upload
        Path elsewhere = Files.createDirectories(env.root.resolve("moved-away"));
        Files.move(documents().resolve("facture"), elsewhere.resolve("facture"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Files.move(documents().resolve("2"), elsewhere.resolve("2"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        BackupResult wrong = backup();
        assertEquals("failed", wrong.status());
        assertTrue(wrong.error().contains("holds none of the 32 files"), wrong.error());
        assertEquals(List.of(), ops("select id from ops.artifacts where environment_id = ?", env.environmentId()));
        if (Files.exists(env.localStoreDir())) {
            try (Stream<Path> stored = Files.walk(env.localStoreDir())) {
                assertEquals(List.of(), stored.filter(Files::isRegularFile).toList(), "nothing was uploaded");
            }
        }
    }
}
