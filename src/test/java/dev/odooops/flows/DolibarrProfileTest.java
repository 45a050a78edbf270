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

    private void sql(String statement) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + env.database, "postgres", "")) {
            c.createStatement().execute(statement);
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
        ArtifactManifest manifest = runtime.catalog().artifact(b.artifactId()).orElseThrow().manifest();
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

        // Dolibarr writing its constants, a login, the security log, cron bookkeeping; new scratch files
        sql("update llx_const set value = '20261202000000' where name = 'MAIN_FIRST_PING_OK_DATE'");
        sql("update llx_user set datepreviouslogin = datelastlogin, datelastlogin = now() where login = 'admin'");
        sql("insert into llx_events(type, dateevent, description) values ('USER_LOGIN', now(), 'login admin')");
        sql("update llx_cronjob set datelastrun = now(), lastresult = '0', lastoutput = 'ok'");
        DolibarrShape.writeTemp(documents());
        Thread.sleep(1500); // PostgreSQL flushes a backend's table statistics at most once a second
        BackupResult quiet = backup();
        assertEquals("skipped_unchanged", quiet.status(), quiet.error());
        assertEquals(first.artifactId(), quiet.artifactId());

        sql("insert into llx_facture(ref, fk_soc, datef) values ('FA2612-0001', 1, current_date)");
        Thread.sleep(1500);
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
}
