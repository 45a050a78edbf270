package dev.odooops.flows;

import dev.odooops.OpsRuntime;
import dev.odooops.cli.Commands;
import dev.odooops.domain.Checksums;
import dev.odooops.domain.Json;
import dev.odooops.model.ArtifactRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.ExportZipRequest;
import dev.odooops.model.PrEnvCreateRequest;
import dev.odooops.model.RecoverRequest;
import dev.odooops.model.Report;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.RestoreResult;
import dev.odooops.store.ArtifactCipher;
import dev.odooops.support.EnvironmentState;
import dev.odooops.support.FlowFixture;
import dev.odooops.support.NeutralShape;
import dev.odooops.support.OdooStandIn;
import dev.odooops.support.TestEnvironment;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.odooops.support.TestEnvironment.ops;
import static dev.odooops.support.TestEnvironment.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The encrypted paths EncryptionTest and RekeyTest leave out (issue 15 section 2), with the real age tool and real
 * stores: a rollback that must read the encrypted safety backup; {@code store copy} of encrypted artifacts (no key,
 * bytes as stored) and a disaster restore from the copy; {@code copy} into staging, {@code pr-env create} from a
 * snapshot and {@code export-odoo-zip}, each with the identity and refused without it; {@code recover} after a kill
 * -9 mid-restore; {@code verify-artifact --read-data} without the identity on the command line.
 */
class EncryptedPathsTest {

    /** An age key pair made by age-keygen. */
    record Key(String recipient, String identity) {
        static Key make(Path dir) throws Exception {
            Path file = dir.resolve("age.key");
            sh(null, "age-keygen", "-o", file.toString());
            String identity = Files.readAllLines(file).stream().filter(l -> l.startsWith("AGE-SECRET-KEY-1")).findFirst().orElseThrow();
            return new Key(sh(null, "age-keygen", "-y", file.toString()).strip(), identity);
        }
    }

    /** Every project of {@code env} encrypts to {@code key}; with {@code identity} this host can read it too. */
    private static void encrypt(TestEnvironment env, Key key, boolean identity) throws Exception {
        env.withSecret("age_identity", key.identity());
        env.withTopYaml("encryption:\n  recipients: [" + key.recipient() + "]\n"
                + (identity ? "  identity: \"${secret:age_identity}\"\n" : ""));
    }

    /** Where the local store keeps the artifact's objects. */
    private static Path inLocal(TestEnvironment env, String environment, String artifactId) {
        return env.localStoreDir().resolve(env.project).resolve(environment).resolve(artifactId);
    }

    /** The artifact's stored files: manifest and sums lists in plain text, every other one an age file. */
    private static void assertStoredEncrypted(Path dir) throws Exception {
        assertTrue(Files.isDirectory(dir), dir.toString());
        Map<String, Object> manifest = Json.readMap(dir.resolve("manifest.json"));
        assertNotNull(manifest.get("encryption"), "the manifest says how it is encrypted: " + dir);
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.toList()) {
                String name = f.getFileName().toString();
                if (!name.equals("manifest.json") && !name.endsWith(".sha256")) {
                    assertTrue(ArtifactCipher.isEncrypted(f), f + " is not an age file");
                }
            }
        }
    }

    /** Relative path to SHA-256 of every regular file under {@code root}. */
    private static Map<String, String> sums(Path root) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) out.put(root.relativize(f).toString(), Checksums.sha256(f));
        }
        return out;
    }

    private static void noIdentityFileLeft(TestEnvironment env) throws Exception {
        try (Stream<Path> left = Files.walk(env.workDir)) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith(".age-identity")).toList(),
                    "an identity file was left");
        }
    }

    private static void assertNamesIdentity(String message) {
        assertTrue(message != null && message.contains("encryption.identity") && message.contains("is encrypted"), message);
    }

    /**
     * The restored data does not come up and the copy kept aside of {@code part} vanishes before the rollback: only the
     * encrypted safety backup can put that part back (RollbackRestore's slow path decrypts its files and its packs).
     */
    @ParameterizedTest(name = "kept-aside {0} gone")
    @ValueSource(strings = {"database", "filestore"})
    void should_roll_back_from_the_encrypted_safety_backup_to_exactly_the_state_before(String part) throws Exception {
        TestEnvironment env = TestEnvironment.create("encroll").withLocalStore();
        Key key = Key.make(env.root);
        encrypt(env, key, true);
        try (FlowFixture fx = FlowFixture.standIn(env)) {
            BackupResult b = fx.backup();
            fx.sql("update res_partner set name = 'changed after the backup' where id < 10");
            // a file only the safety backup holds: the slow path reads it from the safety backup's (encrypted) pack
            Files.writeString(env.odoo.filestore().resolve("stray-file"), "not from the backup");
            EnvironmentState before = EnvironmentState.of(env);
            fx.odoo.unhealthyStarts = 1; // the restored data does not come up
            AdviceWith.adviceWith(fx.runtime().camelContext(), "restore-failed", a -> a.weaveById("record-restore-failure").after()
                    .process(ex -> {
                        var job = ex.getVariable("restoreJob", dev.odooops.model.RestoreJob.class);
                        if (part.equals("database")) {
                            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "")) {
                                c.createStatement().execute("drop database " + job.asideDatabase() + " with (force)");
                            }
                        } else {
                            sh(null, "rm", "-rf", job.asideFilestore().toString());
                        }
                    }));

            RestoreResult r = fx.runtime().operations().restore(new RestoreRequest(env.project, "prod", b.artifactId(),
                    BackupType.FULL, true, true, env.environmentId(), "operator", "test"));

            Map<String, Object> rollback = Json.readMap(Path.of(r.evidenceDir(), "rollback.json"));
            assertEquals("rolled_back", r.status(), rollback.toString());
            assertTrue(rollback.get("actions").toString().contains("slow path: " + part + " of pre-restore backup "
                    + r.preRestoreBackupId()), rollback.toString());
            assertEquals(before, EnvironmentState.of(env), "the encrypted safety backup brought the " + part + " back");
            assertEquals(List.of(), EnvironmentState.sideCopies(env));
            assertStoredEncrypted(inLocal(env, "prod", r.preRestoreBackupId()));
            assertNotNull(fx.runtime().catalog().artifacts().artifact(r.preRestoreBackupId()).orElseThrow().manifest().encryption());
            noIdentityFileLeft(env);
            assertTrue(fx.odoo.running(), "Odoo runs again");
        }
    }

    @Test
    void should_copy_encrypted_artifacts_to_a_new_store_without_a_key_and_restore_from_there_with_it() throws Exception {
        TestEnvironment env = TestEnvironment.create("encstore").withType("staging")
                .withProperty("backup.filestore-format", "packed");
        try {
            Key key = Key.make(env.root);
            encrypt(env, key, true);
            BackupResult b;
            try (OpsRuntime a = env.runtime()) {
                b = a.operations().backup(dev.odooops.model.BackupRequest.of(env.project, "prod", BackupType.FULL, null,
                        null, null, null, "operator", "test"));
                assertEquals("success", b.status(), b.error());
            }
            EnvironmentState backedUp = EnvironmentState.of(env);
            Path projectInA = env.s3Dir.resolve("backups/ops").resolve(env.project);
            Map<String, String> inA = sums(projectInA);
            // B (local) is current, A (s3) previous; this host has the recipients only
            String storeB = "  name: new\n  type: local\n  local:\n    path: " + env.localStoreDir() + "\n";
            env.withStoreYaml(storeB + "  previous:\n    - name: old-s3\n" + env.s3StoreYaml().indent(6));
            encrypt(env, key, false);
            TestEnvironment.CliResult copy = env.cli("store", "copy", "--to", "new");
            assertEquals(0, copy.exit(), copy.stdout() + copy.stderr());
            Map<String, Object> report = Json.readMap(copy.stdout());
            assertTrue(((List<?>) report.get("copied")).contains(b.artifactId()), report.toString());
            // the bytes as stored: every object of A, the same in B
            Map<String, String> inB = sums(env.localStoreDir().resolve(env.project));
            for (Map.Entry<String, String> e : inA.entrySet()) {
                assertEquals(e.getValue(), inB.get(e.getKey()), e.getKey() + " copied with other bytes");
            }
            assertStoredEncrypted(inLocal(env, "prod", b.artifactId()));
            try (Stream<Path> packs = Files.list(env.localStoreDir().resolve(env.project).resolve("_packs"))) {
                for (Path p : packs.toList()) assertTrue(ArtifactCipher.isEncrypted(p), p + " is not an age file");
            }

            // A goes away; disaster: no database, no filestore; the identity is back on this host
            env.withStoreYaml(storeB);
            env.stopS3();
            encrypt(env, key, true);
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "")) {
                c.createStatement().execute("drop database " + env.database + " with (force)");
            }
            sh(null, "rm", "-rf", env.odoo.filestore().toString());
            try (OpsRuntime rt = env.runtime()) {
                assertTrue(rt.operations().verifyArtifact(new ArtifactRequest(b.artifactId(), true, 100, "operator")).ok());
                RestoreResult r = rt.operations().restore(new RestoreRequest(env.project, "prod", b.artifactId(),
                        BackupType.FULL, true, true, null, "operator", "test"));
                assertEquals("success", r.status(), r.error() + " in " + r.failedStep());
                assertEquals(backedUp, EnvironmentState.of(env));
            }
            noIdentityFileLeft(env);
        } finally {
            env.close();
        }
    }

    @Test
    void should_copy_into_staging_with_the_identity_and_refuse_without_it() throws Exception {
        TestEnvironment env = TestEnvironment.create("enccopy").withLocalStore();
        FlowFixture fx = null;
        try {
            Key key = Key.make(env.root);
            encrypt(env, key, true);
            NeutralShape.addOdooTables(env);
            NeutralShape.Staging staging = NeutralShape.copyOfProduction(env, NeutralShape.SINK_HOST);
            Files.writeString(staging.conf(), Files.readString(staging.conf()) + "smtp_port = " + NeutralShape.SINK_PORT + "\n");
            NeutralShape.rows(staging.database(), "insert into res_partner(name) values ('only in staging') returning id");
            env.withOperatorActions("backup, restore, copy");
            env.withMoreEnvironments(NeutralShape.stagingYaml(env, staging, "staging", NeutralShape.neutralizationYaml()));
            fx = FlowFixture.of(env);
            BackupResult b = fx.backup();

            // without the identity: refused naming it, staging as it was, no run of staging, no safety backup
            encrypt(env, key, false);
            Map<String, String> before = EnvironmentState.tables(staging.database());
            String filesBefore = sums(staging.filestore()).toString();
            List<Map<String, Object>> artifacts = ops("select id from ops.artifacts");
            TestEnvironment.CliResult refused = env.cli("copy", "--from", env.project + "/prod", "--to", env.project + "/staging");
            assertEquals(2, refused.exit(), "refused (exit 2): " + refused.stdout() + refused.stderr());
            assertNamesIdentity(refused.stderr() + refused.stdout());
            assertFalse((refused.stderr() + refused.stdout()).contains(key.identity()), "the identity was printed");
            assertEquals(before, EnvironmentState.tables(staging.database()));
            assertEquals(filesBefore, sums(staging.filestore()).toString());
            assertEquals(artifacts, ops("select id from ops.artifacts"), "an artifact was made");
            assertEquals(List.of(), NeutralShape.sideCopies(staging));

            // with it: copied and neutralised; staging's safety backup is encrypted too
            encrypt(env, key, true);
            TestEnvironment.CliResult r = env.cli("copy", "--from", env.project + "/prod", "--to", env.project + "/staging");
            assertEquals(0, r.exit(), r.stdout() + r.stderr());
            Map<String, Object> report = Json.readMap(r.stdout());
            assertEquals("success", report.get("status"), r.stdout());
            assertEquals(b.artifactId(), report.get("artifact_id"));
            assertEquals(0L, NeutralShape.one(staging.database(), "select count(*) from res_partner where name = 'only in staging'"));
            assertEquals(List.of("Base: Auto-vacuum internal data"), NeutralShape.rows(staging.database(),
                    "select cron_name from ir_cron where active").stream().map(m -> m.get("cron_name")).toList());
            assertStoredEncrypted(env.localStoreDir().resolve(env.project).resolve("staging")
                    .resolve((String) report.get("pre_restore_backup_id")));
            noIdentityFileLeft(env);
        } finally {
            NeutralShape.dropStaging(env);
            if (fx != null) fx.close();
            else env.close();
        }
    }

    /** What a call answered: its report's body, or the message of what it threw. */
    private static String outcome(java.util.function.Supplier<Report> call) {
        try {
            Report r = call.get();
            return (r.ok() ? "ok " : "not ok ") + r.body();
        } catch (RuntimeException e) {
            return "threw " + e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    @Test
    void should_make_a_pr_environment_from_an_encrypted_snapshot_and_export_an_odoo_zip_only_with_the_identity() throws Exception {
        TestEnvironment env = TestEnvironment.create("encpr").withLocalStore();
        String project = env.project;
        Path prData = env.root.resolve("prdata");
        Path envDir = env.root.resolve("prenvs");
        String database = project.replace('-', '_') + "_pr_21";
        Path prFilestore = prData.resolve("filestore").resolve(database);
        Key key = Key.make(env.root);
        encrypt(env, key, true);
        env.withOperatorActions("backup, restore, copy, pr-env").withProjectYaml("""
                pr_environments:
                  database: {host: 127.0.0.1, port: 5432, user: %s, password: "${secret:db_password}"}
                  filestore: %s/filestore/%s_pr_{pr}
                  odoo_conf: %s/odoo-pr-{pr}.conf
                  env_dir: %s
                  url: "https://pr-{pr}.review.example.com"
                  max_age: 7d
                  expire_user: operator
                """.formatted(env.database + "_owner", prData, project.replace('-', '_'), prData, envDir));
        FlowFixture fx = FlowFixture.of(env);
        try {
            BackupResult b = fx.backup();
            Report snap = fx.runtime().operations().runQueued(new dev.odooops.model.SnapshotRequest(project, "prod", true,
                    b.artifactId(), "operator", "test"), null);
            assertEquals("success", snap.body().get("status"), String.valueOf(snap.body()));
            String snapshot = (String) snap.body().get("artifact_id");
            Path zips = Files.createDirectories(env.root.resolve("zips"));
            Path out = zips.resolve("export.zip");

            // without the identity: both refused naming it; no database, filestore, .env file or zip made
            encrypt(env, key, false);
            fx.restart();
            List<Map<String, Object>> prRows = ops("select 1 from pg_database where datname like ?", database + "%");
            String pr = outcome(() -> fx.runtime().operations().prEnvCreate(new PrEnvCreateRequest(project, 21, "snapshot",
                    "operator", "test")));
            assertNamesIdentity(pr);
            assertFalse(pr.contains(key.identity()));
            assertEquals(prRows, ops("select 1 from pg_database where datname like ?", database + "%"), "a database was made: " + pr);
            assertFalse(Files.exists(prFilestore), "a filestore was made: " + pr);
            assertEquals(List.of(), ops("select datname from pg_database where datname like ?",
                    project.replace('-', '_') + "\\_pr\\_template%"), "a template was made: " + pr);
            assertFalse(Files.exists(envDir.resolve(".env.pr-21")), "an .env file was made: " + pr);
            long exportRuns = ops("select 1 from ops.runs where operation_type = ?", ExportZipRequest.OPERATION).size();
            String export = outcome(() -> fx.runtime().operations().exportOdooZip(new ExportZipRequest(null, null,
                    b.artifactId(), out.toString(), "operator", "test")));
            assertNamesIdentity(export);
            assertTrue(export.startsWith("threw RequestRejected"), export);
            assertEquals(exportRuns, ops("select 1 from ops.runs where operation_type = ?", ExportZipRequest.OPERATION).size(),
                    "refused before a run exists, as a restore is");
            try (Stream<Path> s = Files.list(zips)) {
                assertEquals(List.of(), s.toList(), "export: " + export);
            }
            noIdentityFileLeft(env);

            // with it: both work
            encrypt(env, key, true);
            fx.restart();
            Report made = fx.runtime().operations().prEnvCreate(new PrEnvCreateRequest(project, 21, "snapshot", "operator", "test"));
            assertTrue(made.ok(), made.body().toString());
            assertEquals(snapshot, made.body().get("artifact_id"));
            assertEquals(1, ops("select 1 from pg_database where datname = ?", database).size());
            Report exported = fx.runtime().operations().exportOdooZip(new ExportZipRequest(null, null, b.artifactId(),
                    out.toString(), "operator", "test"));
            assertTrue(exported.ok(), exported.body().toString());
            try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(out.toFile())) {
                assertNotNull(z.getEntry("dump.sql"), "the zip has Odoo's dump.sql");
            }
            noIdentityFileLeft(env);
        } finally {
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "")) {
                c.createStatement().execute("drop database if exists \"" + database + "\" with (force)");
                c.createStatement().execute("drop database if exists \"" + project.replace('-', '_') + "_pr_template\" with (force)");
            }
            fx.close();
        }
    }

    // the kill points an encrypted restore adds to CrashMatrixTest's: before the decryption, the packed filestore's swap
    // (the fresh tree assembled from decrypted packs and links), and after both swaps with the decrypted files still in
    // the work directory (before:validate). The database swap (swap-database:live-moved-aside) is not here: it is the
    // same step on the same decrypted files as before:validate, and CrashMatrixTest kills it.
    @ParameterizedTest(name = "restore killed at {0}")
    @ValueSource(strings = {"before:decrypt-artifact", "restore-filestore:live-moved-aside", "before:validate"})
    void should_recover_an_encrypted_restore_killed_mid_way_to_exactly_before(String point) throws Exception {
        TestEnvironment env = TestEnvironment.create("enccrash").withLocalStore().withProperty("backup.filestore-format", "packed");
        OdooStandIn odoo = new OdooStandIn(env.root.resolve("odoo.log"));
        try {
            env.withOdoo(odoo);
            Key key = Key.make(env.root);
            encrypt(env, key, true);
            BackupResult b;
            try (OpsRuntime rt = env.runtime()) {
                b = rt.operations().backup(dev.odooops.model.BackupRequest.of(env.project, "prod", BackupType.FULL, null,
                        null, null, null, "operator", "test"));
                assertEquals("success", b.status(), b.error());
            }
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + env.database, "postgres", "")) {
                c.createStatement().execute("update res_partner set name = 'changed before the crash' where id < 20");
            }
            // files the restore cannot link from the live filestore: it reads (and decrypts) their packs
            try (Stream<Path> files = Files.walk(env.odoo.filestore())) {
                for (Path f : files.filter(Files::isRegularFile).limit(5).toList()) Files.delete(f);
            }
            Files.createDirectories(env.odoo.filestore().resolve("ff"));
            Files.writeString(env.odoo.filestore().resolve("ff").resolve("f".repeat(40)), point);
            EnvironmentState before = EnvironmentState.of(env);

            env.withSpawnEnv("ODOO_OPS_CRASH_AT", point);
            Path err = env.root.resolve("restore.err");
            Process p = env.spawn(env.root.resolve("restore.out"), err, "restore", "--env", env.environmentId(), "--artifact",
                    b.artifactId(), "--force", "--confirm", env.environmentId());
            env.withSpawnEnv("ODOO_OPS_CRASH_AT", "");
            assertTrue(p.waitFor(180, TimeUnit.SECONDS), "restore did not end");
            assertEquals(137, p.exitValue(), "killed at " + point + ": " + Files.readString(err).lines()
                    .filter(l -> l.contains("ERROR")).toList());

            try (OpsRuntime rt = env.runtime()) {
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                assertEquals(0, new Commands(rt.operations(), new PrintStream(out, true)).recover(
                        new RecoverRequest(env.project, "prod", "operator", "cli")), "recover: " + out);
                assertEquals(before, EnvironmentState.of(env), "killed at " + point);
                assertEquals(List.of(), EnvironmentState.sideCopies(env), "side copies left, killed at " + point);
                assertTrue(odoo.running(), "Odoo runs again");
                assertFalse(odoo.inMaintenance(), "Odoo is out of maintenance");
                // the killed run's decrypted files (plain text of an encrypted artifact) do not outlive recover
                try (Stream<Path> left = Files.walk(env.workDir)) {
                    assertEquals(List.of(), left.filter(Files::isRegularFile).toList(), "files left in the work directory by recover");
                }
                assertTrue(rt.operations().verifyArtifact(new ArtifactRequest(b.artifactId(), true, 100, "operator")).ok());
                // then a restore of the same artifact goes through
                RestoreResult r = rt.operations().restore(new RestoreRequest(env.project, "prod", b.artifactId(),
                        BackupType.FULL, true, true, env.environmentId(), "operator", "test"));
                assertEquals("success", r.status(), r.error() + " in " + r.failedStep());
            }
            noIdentityFileLeft(env);
            try (Stream<Path> left = Files.walk(env.workDir)) {
                assertEquals(List.of(), left.filter(Files::isRegularFile).toList(), "decrypted files left in the work directory");
            }
        } finally {
            odoo.close();
            env.close();
        }
    }

    @Test
    void should_verify_and_check_without_a_key_and_refuse_read_data_naming_the_identity() throws Exception {
        TestEnvironment env = TestEnvironment.create("encverify").withLocalStore().withProperty("backup.filestore-format", "packed");
        try {
            Key key = Key.make(env.root);
            encrypt(env, key, true);
            BackupResult b;
            try (OpsRuntime rt = env.runtime()) {
                b = rt.operations().backup(dev.odooops.model.BackupRequest.of(env.project, "prod", BackupType.FULL, null,
                        null, null, null, "operator", "test"));
                assertEquals("success", b.status(), b.error());
            }
            encrypt(env, key, false); // a host with the recipients only
            TestEnvironment.CliResult verify = env.cli("verify-artifact", b.artifactId());
            assertEquals(0, verify.exit(), verify.stdout() + verify.stderr());
            TestEnvironment.CliResult check = env.cli("check", "--project", env.project);
            assertEquals(0, check.exit(), check.stdout() + check.stderr());
            TestEnvironment.CliResult readData = env.cli("verify-artifact", b.artifactId(), "--read-data");
            String said = readData.stdout() + readData.stderr();
            assertEquals(1, readData.exit(), said);
            assertTrue(readData.stderr().contains("encryption.identity") && readData.stderr().contains("is encrypted")
                    && readData.stderr().contains(env.project), said);
            assertFalse(said.contains("\tat dev.odooops") || said.contains("Exception"), "a stack trace instead of a message: " + said);
            assertFalse(said.contains(key.identity()));
            noIdentityFileLeft(env);
        } finally {
            env.close();
        }
    }

    /**
     * {@code copy --from P/prod --to Q/staging}: the artifact and its packs are P's, so the restore into Q reads P's
     * packs and decrypts them with P's identity (configuration.md: "the identity of the artifact's project").
     */
    @Test
    void should_copy_an_encrypted_artifact_into_another_projects_staging() throws Exception {
        TestEnvironment env = TestEnvironment.create("encxcopy").withLocalStore();
        try {
            Key key = Key.make(env.root);
            // P encrypts (and holds its identity), Q does not: Q's identity (none) cannot read P's packs
            env.withSecret("age_identity", key.identity());
            env.withProjectYaml("encryption:\n  recipients: [" + key.recipient() + "]\n  identity: \"${secret:age_identity}\"\n");
            NeutralShape.addOdooTables(env);
            NeutralShape.Staging staging = NeutralShape.copyOfProduction(env, NeutralShape.SINK_HOST);
            Files.writeString(staging.conf(), Files.readString(staging.conf()) + "smtp_port = " + NeutralShape.SINK_PORT + "\n");
            // files staging does not hold: the restore must read them from the source project's packs
            try (Stream<Path> files = Files.walk(staging.filestore())) {
                for (Path f : files.filter(Files::isRegularFile).limit(5).toList()) Files.delete(f);
            }
            env.withOperatorActions("backup, restore, copy");
            String other = env.project + "q";
            Path yaml = env.configDir.resolve("environments.yaml");
            Files.writeString(yaml, Files.readString(yaml).stripTrailing() + "\n  - name: " + other + "\n    environments:\n"
                    + NeutralShape.stagingYaml(env, staging, "staging", NeutralShape.neutralizationYaml()).indent(6));
            BackupResult b;
            try (OpsRuntime rt = env.runtime()) {
                b = rt.operations().backup(dev.odooops.model.BackupRequest.of(env.project, "prod", BackupType.FULL, null,
                        null, null, null, "operator", "test"));
                assertEquals("success", b.status(), b.error());
            }
            Map<String, String> prodFiles = sums(env.odoo.filestore());

            TestEnvironment.CliResult r = env.cli("copy", "--from", env.project + "/prod", "--to", other + "/staging");
            assertEquals(0, r.exit(), r.stdout() + r.stderr());
            Map<String, Object> report = Json.readMap(r.stdout());
            assertEquals("success", report.get("status"), r.stdout());
            assertEquals(prodFiles, sums(staging.filestore()), "staging holds production's files");
            assertEquals(List.of(), NeutralShape.sideCopies(staging));
            assertNotNull(ops("select manifest->'encryption' as e from ops.artifacts where id = ?", b.artifactId()).get(0).get("e"));
            noIdentityFileLeft(env);
        } finally {
            NeutralShape.dropStaging(env);
            env.close();
        }
    }
}
