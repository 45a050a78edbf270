package dev.odooops.flows;

import dev.odooops.exec.ChildEnvironment;
import dev.odooops.support.OdooStandIn;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.odooops.support.TestEnvironment.PASSWORD;
import static dev.odooops.support.TestEnvironment.S3_SECRET;
import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Known secrets in every form an operator's setup holds them: the database password (secrets file and
 * odoo.conf), the odoo.conf admin_passwd, a redis URL with an empty user name and a postgres URL in odoo.conf,
 * the S3 secret as ${env:...} in the odoo-ops process's environment, the catalog password in
 * ODOO_OPS_DB_PASSWORD. After a backup and a restore run as an operator runs them (separate JVMs), none may
 * appear in any evidence file, stored object, catalog row of the runs, output of odoo-ops, or environment
 * of a child process (pg_dump, pg_restore, tar, git and the Odoo commands record theirs).
 */
class SecretsSweepTest {
    private static final String REDIS_SECRET = "Redis-Sweep-Secret-7731";
    private static final String PG_URL_SECRET = "PgUrl-Sweep-Secret-4410";
    private static final String CATALOG_SECRET = "Ops-Catalog-Sweep-Secret-9902";
    private static final List<String> SECRETS = List.of(PASSWORD, S3_SECRET, REDIS_SECRET, PG_URL_SECRET, CATALOG_SECRET);
    private static final Set<String> CHILD_VARIABLES = childVariables();

    private TestEnvironment env;
    private OdooStandIn odoo;

    private static Set<String> childVariables() {
        Set<String> s = new HashSet<>(ChildEnvironment.BASE);
        s.addAll(List.of("PGPASSFILE", "PGSSLMODE", "PGAPPNAME", "PGOPTIONS", "ZSTD_CLEVEL", "ZSTD_NBTHREADS")); // set by the calls (PGOPTIONS: restore.index-build-workers)
        return s;
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (odoo != null) odoo.close();
        if (env != null) env.close();
    }

    /** A script named like the tool, first on PATH: records its environment, then becomes the real tool. */
    private static void recordingWrapper(Path bin, Path records, String tool) throws Exception {
        String real = TestEnvironment.sh(null, "sh", "-c", "command -v " + tool).strip();
        Path script = bin.resolve(tool);
        Files.writeString(script, "#!/bin/sh\ncat /proc/$$/environ > '" + records + "/" + tool + ".'$$\nexec " + real + " \"$@\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    }

    private String run(String name, String... args) throws Exception {
        Process p = env.spawn(env.root.resolve(name + ".out"), env.root.resolve(name + ".err"), args);
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), name + " did not finish");
        String out = Files.readString(env.root.resolve(name + ".out"));
        assertEquals(0, p.exitValue(), name + ": " + out + Files.readString(env.root.resolve(name + ".err")));
        return out;
    }

    @Test
    void should_keep_every_known_secret_out_of_evidence_stored_objects_catalog_output_and_child_environments() throws Exception {
        // packs by tar (backup.pack-writer=tar): the one backup child a packed filestore has; written in process, none
        env = TestEnvironment.create("sweep").withProperty("backup.pack-writer", "tar");
        Path records = Files.createDirectories(env.root.resolve("child-environments"));
        Path bin = Files.createDirectories(env.root.resolve("bin"));
        for (String tool : List.of("pg_dump", "pg_restore", "tar", "git")) recordingWrapper(bin, records, tool);
        Files.writeString(env.odoo.appConf(), String.join("\n",
                "session_redis_url = redis://:" + REDIS_SECRET + "@127.0.0.1:6379/0",
                "db_replica = postgres://odoo:" + PG_URL_SECRET + "@10.0.0.9:5432/acme",
                ""), StandardOpenOption.APPEND);
        Path addons = env.odoo.addons();
        TestEnvironment.sh(addons, "git", "init", "-q");
        TestEnvironment.sh(addons, "git", "add", "-A");
        TestEnvironment.sh(addons, "git", "-c", "user.email=ops@example.com", "-c", "user.name=ops", "commit", "-qm", "addons");

        odoo = new OdooStandIn(env.root.resolve("odoo.log"));
        String u = odoo.url();
        String record = "cat /proc/$$/environ > '" + records + "/%s.'$$";
        env.withS3SecretFromEnv("ODOO_OPS_SWEEP_S3_SECRET")
                .withSpawnEnv("ODOO_OPS_DB_PASSWORD", CATALOG_SECRET)
                .withSpawnEnv("PATH", bin + ":" + System.getenv("PATH"))
                .withOdooYaml("quiesce: {command: [sh, -c, \"" + record.formatted("quiesce") + "\"]}\n"
                        + "resume: {http: {url: \"" + u + "/maintenance/off\"}}\n"
                        + "stop: {http: {url: \"" + u + "/stop\"}}\n"
                        + "start: {http: {url: \"" + u + "/start\"}}\n"
                        + "health_url: \"" + u + "/web/health\"\n"
                        + "timeout_seconds: 3\n"
                        + "log_file: " + odoo.log() + "\n"
                        + "validate_command: [sh, -c, \"" + record.formatted("validate") + "\"]\n");

        String backup = run("backup", "backup", "--project", env.project, "--env", "prod");
        String artifact = backup.replaceAll("(?s).*\"artifact_id\":\"([^\"]+)\".*", "$1");
        String restore = run("restore", "restore", "--project", env.project, "--env", "prod", "--artifact", artifact,
                "--confirm", env.environmentId());
        assertTrue(restore.contains("\"status\":\"success\""), restore);

        List<String> found = new ArrayList<>();
        // the environment of every child process
        Set<String> recorded = new TreeSet<>();
        try (Stream<Path> s = Files.list(records)) {
            for (Path f : s.toList()) {
                String tool = f.getFileName().toString().replaceAll("\\.\\d+$", "");
                recorded.add(tool);
                for (String var : Files.readString(f).split("\0")) {
                    if (var.isEmpty()) continue;
                    String name = var.substring(0, var.indexOf('='));
                    if (!CHILD_VARIABLES.contains(name)) found.add(tool + " environment has " + name);
                }
                scan("environment of " + tool, Files.readString(f), found);
            }
        }
        assertEquals(new TreeSet<>(List.of("git", "pg_dump", "pg_restore", "quiesce", "tar", "validate")), recorded,
                "every kind of child recorded its environment");
        // restore.index-build-workers reaches the sessions of the pg_restore that loads the database (PGOPTIONS, its
        // only way in; a pg_restore --list that only reads the dump gets none)
        String workers = "PGOPTIONS=-c max_parallel_maintenance_workers=" + dev.odooops.config.Settings.Restore.defaultIndexBuildWorkers();
        try (Stream<Path> s = Files.list(records)) {
            List<String> pgRestores = new ArrayList<>();
            for (Path f : s.filter(f -> f.getFileName().toString().startsWith("pg_restore")).toList()) pgRestores.add(Files.readString(f));
            assertTrue(pgRestores.stream().anyMatch(e -> List.of(e.split("\0")).contains(workers)), workers + " in " + pgRestores.size()
                    + " pg_restore environment(s)");
        }
        // every evidence file
        try (Stream<Path> s = Files.walk(env.evidenceRoot)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) scan("evidence " + env.evidenceRoot.relativize(f), Files.readString(f), found);
        }
        // every stored object, the archive decompressed, the dump as the SQL it restores
        int objects = 0;
        try (Stream<Path> s = Files.walk(env.s3Dir)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                objects++;
                String name = f.getFileName().toString();
                String text = name.endsWith(".tar.zst") ? TestEnvironment.sh(null, "sh", "-c", "zstd -dc '" + f + "' | tar -xOf - | cat -v")
                        : name.equals("db.dump") ? TestEnvironment.sh(null, "pg_restore", "-f", "-", f.toString())
                        : Files.readString(f, StandardCharsets.ISO_8859_1);
                scan("stored object " + env.s3Dir.relativize(f), text, found);
            }
        }
        assertTrue(objects >= 16, "two artifacts stored (the backup and the restore's safety backup): " + objects);
        // every catalog row of the environment's runs
        for (Map<String, Object> row : ops("select r::text as t from ops.runs r where environment_id = ? union all "
                + "select e::text from ops.run_events e join ops.runs r using (run_id) where r.environment_id = ? union all "
                + "select a::text from ops.artifacts a where environment_id = ?", env.environmentId(), env.environmentId(),
                env.environmentId())) {
            scan("catalog row", (String) row.get("t"), found);
        }
        // what odoo-ops printed
        for (String f : List.of("backup.out", "backup.err", "restore.out", "restore.err")) {
            scan(f, Files.readString(env.root.resolve(f)), found);
        }

        assertEquals(List.of(), found);
        String snapshot = Files.readString(Path.of(backup.replaceAll("(?s).*\"evidence_dir\":\"([^\"]+)\".*", "$1"), "config_snapshot.json"));
        assertTrue(snapshot.contains("redis://[REDACTED]@127.0.0.1:6379/0"), snapshot);
        assertTrue(snapshot.contains("postgres://[REDACTED]@10.0.0.9:5432/acme"), snapshot);
        assertFalse(snapshot.contains("smtp-demo-pass"), snapshot);
    }

    private static void scan(String where, String text, List<String> found) throws IOException {
        for (String secret : SECRETS) {
            if (text.contains(secret)) found.add(where + " holds " + (secret.equals(S3_SECRET) ? "the S3 secret" : "'" + secret + "'"));
        }
    }
}
