package dev.odooops.cli;

import dev.odooops.odoo.EnvironmentValidator;

import dev.odooops.OpsRuntime;
import dev.odooops.config.Settings;
import dev.odooops.demo.DemoEnvironment;
import dev.odooops.demo.EmbeddedS3;
import dev.odooops.domain.Json;
import dev.odooops.model.ArtifactRequest;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.Report;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.RestoreResult;
import dev.odooops.model.ValidateEnvRequest;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code odoo-ops demo}: with only PostgreSQL and its client tools, builds an Odoo-shaped demo environment
 * (database {@code demo.database}, default odoo_demo; filestore, odoo.conf; under {@code demo.root}), starts an S3
 * endpoint on loopback, backs the environment up through the real backup route and verifies the artifact from
 * the store; then damages the environment
 * (rows and attachment files), restores the artifact through the real restore route (safety backup,
 * swap, validations) and prints the outcome and where the evidence is.
 */
public final class DemoCommand {
    private final Path home;
    private final PrintStream out;
    private final PrintStream err;

    public DemoCommand(Path home, PrintStream out, PrintStream err) {
        this.home = home;
        this.out = out;
        this.err = err;
    }

    public int run(Path configDir, Function<String, String> env) throws Exception {
        Settings base = Settings.load(home, configDir, env);
        Path root = root(base);
        String database = database(base);
        String dbPassword = random();
        String s3Key = "demo-" + random().substring(0, 8);
        String s3Secret = random();
        say("1/8 building the Odoo-shaped demo environment in " + root + " (database " + database + ")");
        DemoEnvironment.Created demo = DemoEnvironment.create(new DemoEnvironment.Spec("127.0.0.1", 5432, "postgres",
                database, database, dbPassword, root, 500, 200, 42));
        say("    " + demo.attachmentFiles() + " attachment files in " + demo.filestore());
        DemoEnvironment.deleteTree(root.resolve("s3"));
        try (EmbeddedS3 s3 = EmbeddedS3.start(root.resolve("s3"), "odoo-backups", s3Key, s3Secret)) {
            say("2/8 S3 endpoint (s3proxy) listening on " + s3.endpoint() + ", bucket odoo-backups");
            Path demoConfig = writeConfig(root, configDir, s3, demo, database, dbPassword, s3Key, s3Secret, null);
            try (OpsRuntime rt = OpsRuntime.start(home, demoConfig, env, Clock.systemUTC())) {
                say("3/8 backing up demo/production (database + filestore + config snapshot)");
                BackupResult result = rt.operations().backup(BackupRequest.of("demo", "production",
                        BackupType.FULL, "demo", null, null, null, "operator", "demo"));
                if (!result.succeeded()) {
                    say("backup FAILED in step " + result.failedStep() + ": " + result.error());
                    out.println(Json.compact(result));
                    return Commands.FAILED;
                }
                say("4/8 verifying artifact " + result.artifactId() + " from the store");
                Report report = rt.operations().verifyArtifact(new ArtifactRequest(result.artifactId(), "operator"));
                boolean verified = report.ok();
                say("    checksums and pg_restore --list: " + (verified ? "ok" : "FAILED " + report.body()));
                say("    backup evidence: " + result.evidenceDir());
                try (var files = Files.list(Path.of(result.evidenceDir()))) {
                    files.sorted().forEach(f -> say("      " + f.getFileName()));
                }

                say("5/8 damaging the demo environment: deleting 100 partners' invoices and partners, 20 attachment files");
                DemoEnvironment.damage("127.0.0.1", 5432, "postgres", database, demo.filestore(), 20);
                List<String> before = validationSummary(rt);
                say("    validate-env now: " + before);

                say("6/8 restoring " + result.artifactId() + " into demo/production (confirmed: production)");
                RestoreResult restored = rt.operations().restore(new RestoreRequest("demo", "production",
                        result.artifactId(), BackupType.FULL, true, true, "demo/production", "operator", "demo"));
                say("    restore " + restored.status() + (restored.succeeded() ? "" : " in " + restored.failedStep() + ": "
                        + restored.error()) + "; safety backup taken first: " + restored.preRestoreBackupId());
                say("    restore evidence: " + restored.evidenceDir());

                if (!restored.succeeded()) {
                    throw new IllegalStateException("the demo restore did not succeed (" + restored.status() + " in "
                            + restored.failedStep() + "): see " + restored.evidenceDir());
                }
                say("7/8 validations after the restore:");
                Map<String, Object> validation = Json.readMap(Path.of(restored.evidenceDir(), "validation_report.json"));
                for (Object check : (List<?>) validation.getOrDefault("checks", List.of())) {
                    Map<?, ?> c = (Map<?, ?>) check;
                    say(String.format("      %-13s %-8s %s", c.get("name"), c.get("status"), c.get("detail")));
                }
                boolean ok = verified && restored.succeeded();
                say("8/8 " + (ok ? "done: backed up, damaged, restored and validated" : "FAILED"));
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("run_id", result.runId());
                json.put("artifact_id", result.artifactId());
                json.put("status", result.status());
                json.put("evidence_dir", result.evidenceDir());
                json.put("verified", verified);
                json.put("restore", Map.of("run_id", restored.runId(), "status", restored.status(),
                        "evidence_dir", restored.evidenceDir(), "pre_restore_backup_id", String.valueOf(restored.preRestoreBackupId())));
                out.println(Json.compact(json));
                return ok ? Commands.OK : Commands.FAILED;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> validationSummary(OpsRuntime rt) {
        Report report = rt.operations().validateEnvironment(new ValidateEnvRequest("demo", "production", null, null, "operator"));
        return ((List<EnvironmentValidator.Check>) report.body().get("checks")).stream()
                .filter(EnvironmentValidator.Check::failed).map(c -> c.name() + " FAILED (" + abbreviate(c.detail()) + ")").toList();
    }

    private static String abbreviate(String s) {
        return s.length() > 90 ? s.substring(0, 90) + "..." : s;
    }

    /**
     * {@code odoo-ops serve --demo}: the same demo environment and embedded S3 endpoint, served with every channel on
     * (HTTP with a printed bearer token, a schedule, an inbox under the demo root, the embedded broker).
     */
    public int serve(Path configDir, Function<String, String> env, Map<String, String> overrides) throws Exception {
        Settings base = Settings.load(home, configDir, env, overrides);
        Path root = root(base);
        String database = database(base);
        String dbPassword = random();
        String s3Key = "demo-" + random().substring(0, 8);
        String s3Secret = random();
        String token = random() + random().substring(0, 16);
        say("building the Odoo-shaped demo environment in " + root + " (database " + database + ")");
        DemoEnvironment.Created demo = DemoEnvironment.create(new DemoEnvironment.Spec("127.0.0.1", 5432, "postgres",
                database, database, dbPassword, root, 500, 200, 42));
        DemoEnvironment.deleteTree(root.resolve("s3"));
        try (EmbeddedS3 s3 = EmbeddedS3.start(root.resolve("s3"), "odoo-backups", s3Key, s3Secret)) {
            Path demoConfig = writeConfig(root, configDir, s3, demo, database, dbPassword, s3Key, s3Secret, token);
            String api = "http://" + base.property("http.host", "127.0.0.1") + ":" + base.property("http.port", "8780");
            List<String> banner = List.of(
                    "demo: serving demo/production (S3 endpoint " + s3.endpoint() + ", inbox " + root.resolve("inbox") + ")",
                    "demo: bearer token of the user operator: " + token,
                    "demo: try",
                    "  TOKEN=" + token,
                    "  curl -s -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' -d '{\"environment\": \"demo/production\"}' "
                            + api + "/api/v1/backups",
                    "  curl -s -H \"Authorization: Bearer $TOKEN\" " + api + "/api/v1/runs/<run_id>",
                    "  curl -s -H \"Authorization: Bearer $TOKEN\" '" + api + "/api/v1/artifacts?env=demo/production'",
                    "  printf '{\"operation\": \"backup\", \"environment\": \"demo/production\", \"type\": \"db_only\"}' > "
                            + root.resolve("inbox") + "/now.json.tmp && mv " + root.resolve("inbox") + "/now.json.tmp "
                            + root.resolve("inbox") + "/now.json",
                    "  curl -s " + api + "/observe/health/ready",
                    "demo: Ctrl-C stops (running operations finish first)");
            return new ServeCommand(home, err).run(demoConfig, env, overrides, banner);
        }
    }

    /**
     * demo.root (application.properties or -Ddemo.root): where the demo environment and its S3 data go; a relative
     * path resolves against the odoo-ops home, like the other directories (the tarball's {@code var/demo}).
     */
    static Path root(Settings base) {
        return base.home().resolve(base.property("demo.root", "/var/tmp/odoo-ops/demo").trim()).toAbsolutePath().normalize();
    }

    /** demo.database: the demo environment's database (and its owner role); a plain lower-case PostgreSQL name. */
    static String database(Settings base) {
        String name = base.property("demo.database", "odoo_demo").trim();
        if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new dev.odooops.config.ConfigException(base.configDir().resolve("application.properties")
                    + ": demo.database: expected a lower-case PostgreSQL name ([a-z_][a-z0-9_]*, at most 63), got '" + name + "'");
        }
        return name;
    }

    private Path writeConfig(Path root, Path configDir, EmbeddedS3 s3, DemoEnvironment.Created demo, String database,
                             String dbPassword, String s3Key, String s3Secret, String apiToken) throws IOException {
        Path dir = root.resolve("config");
        Files.createDirectories(dir);
        Files.copy(configDir.resolve("application.properties"), dir.resolve("application.properties"),
                StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(dir.resolve("environments.yaml"), """
                # Generated by odoo-ops demo. Secrets are references into secrets.properties beside this file.
                store:
                  type: s3
                  s3:
                    bucket: odoo-backups
                    prefix: odoo-ops
                    region: us-east-1
                    endpoint: %s
                    access_key_id: ${secret:s3.access_key_id}
                    secret_access_key: ${secret:s3.secret_access_key}
                users:
                  - name: operator%s
                    permissions:
                      - project: "*"
                        actions: [backup, restore]
                projects:
                  - name: demo
                    environments:
                      - name: production
                        type: production
                        database: {host: 127.0.0.1, port: 5432, name: %s, user: %s, password: "${secret:demo.db_password}"}
                        filestore: %s
                        odoo_conf: %s
                        addons_paths: [%s]
                        # the demo has no Odoo: this stands for [/opt/odoo/odoo-bin, --version] (its data is Odoo 17.0)
                        odoo: {version_command: [echo, "Odoo Server 17.0"]}
                        retention: {daily: 7, weekly: 4, monthly: 3}%s
                """.formatted(s3.endpoint(), apiToken == null ? "" : "\n    api_token: \"${secret:demo.api_token}\"",
                database, database, demo.filestore(), demo.appConf(), demo.addons(), apiToken == null ? ""
                        : "\n        schedules:\n          - {name: nightly, cron: \"0 0 3 * * ?\", time_zone: UTC, type: full}"));
        if (apiToken != null) {
            Files.writeString(dir.resolve("application.properties"), "\n# serve --demo\ninbox.dir=" + root.resolve("inbox")
                    + "\njms.embedded-data-dir=" + root.resolve("artemis") + "\n", java.nio.file.StandardOpenOption.APPEND);
        }
        Path secrets = dir.resolve("secrets.properties");
        Files.deleteIfExists(secrets);
        Files.createFile(secrets, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(secrets, "s3.access_key_id=" + s3Key + "\ns3.secret_access_key=" + s3Secret
                + "\ndemo.db_password=" + dbPassword + "\n" + (apiToken == null ? "" : "demo.api_token=" + apiToken + "\n"));
        return dir;
    }

    private void say(String line) {
        err.println("[demo] " + line);
    }

    private static String random() {
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
