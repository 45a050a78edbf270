package dev.odooops.drill;

import dev.odooops.config.DatabaseConfig;
import dev.odooops.config.DrillSettings;
import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.OdooControl;
import dev.odooops.domain.SecretRedactor;
import dev.odooops.exec.CrashPoints;
import dev.odooops.exec.ToolFailedException;
import dev.odooops.exec.ToolRunner;
import dev.odooops.exec.WorkFiles;
import dev.odooops.odoo.Neutralizer;
import dev.odooops.postgres.EnvironmentDatabase;
import dev.odooops.postgres.PgAdmin;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The scratch Odoo of a drill (step start-odoo, with {@code drills.command} only; {@link RestoreDrill#startOdoo}
 * records its outcome): the scratch database cloned on its server to a disposable database, its filestore copied
 * beside (hard links inside the scratch directory), the clone neutralised (no mail, no cron), then the command run
 * with the placeholders expanded (the password in PGPASSWORD). With {@code health_url} the command is a server: the
 * drill waits for 200 on the URL, then stops its process group; without, it must exit 0 within
 * {@code timeout_seconds}. The clone is dropped either way; drill_odoo.json records it all.
 */
final class ScratchOdoo {
    /** How long a scratch Odoo server gets to stop before it is killed. */
    static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final ToolRunner tools;
    private final Neutralizer neutralizer;

    ScratchOdoo(ToolRunner tools, Neutralizer neutralizer) {
        this.tools = tools;
        this.neutralizer = neutralizer;
    }

    /** The command's outcome (not yet scrubbed); the clone is gone when this returns or throws. */
    DrillChecks.Check run(DrillJob job) throws Exception {
        DrillSettings.Drill drill = job.drill();
        DrillChecks.Check outcome;
        long t0 = System.nanoTime();
        DatabaseConfig db = job.server();
        String clone = job.cloneDatabase();
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("clone", clone);
        try {
            cloneDatabase(db, job.scratchDatabase(), clone);
            linkTree(job.scratchFilestore(), job.cloneFilestore());
            CrashPoints.reached("drill:clone-created");
            EnvironmentConfig env = job.environment();
            EnvironmentConfig onServer = new EnvironmentConfig(env.project(), env.name(), env.type(), db, job.cloneFilestore(),
                    env.appConf(), env.addonsPaths(), OdooControl.NONE, env.retention(), env.filestoreOwner(), List.of(),
                    env.volatileTables(), env.app(), env.customLayout());
            evidence.put("neutralization", neutralizer.neutralize(onServer, clone).evidence());
            int port = freePort();
            Map<String, String> values = new LinkedHashMap<>();
            values.put("{database}", clone);
            values.put("{data_dir}", job.dataDir().toString());
            values.put("{db_host}", db.host());
            values.put("{db_port}", String.valueOf(db.port()));
            values.put("{db_user}", db.user());
            values.put("{port}", String.valueOf(port));
            List<String> argv = DrillSettings.expand(drill.command(), values);
            Map<String, String> childEnv = new HashMap<>();
            if (db.password() != null) childEnv.put("PGPASSWORD", db.password().reveal());
            evidence.put("argv", argv);
            evidence.put("port", port);
            Duration timeout = Duration.ofSeconds(drill.timeoutSeconds());
            if (drill.healthUrl() == null) {
                outcome = runToEnd(job.redactor(), argv, childEnv, timeout, evidence);
            } else {
                String url = drill.healthUrl().replace("{port}", String.valueOf(port));
                evidence.put("health_url", url);
                outcome = serve(job, argv, childEnv, url, timeout, evidence);
            }
        } finally {
            Map<String, Object> dropped = dropClone(job);
            evidence.put("clone_dropped", dropped);
            job.millis().put("odoo_ms", ms(t0));
            evidence.put("duration_ms", ms(t0));
            job.evidence().json("drill_odoo.json", evidence);
        }
        return outcome;
    }

    private DrillChecks.Check runToEnd(SecretRedactor redactor, List<String> argv, Map<String, String> env, Duration timeout,
                                       Map<String, Object> evidence) {
        try {
            var r = tools.runCommand(argv, env, timeout);
            evidence.put("exit_code", r.exitCode());
            evidence.put("output_tail", tail(redactor.scrub(r.stdout() + r.stderr())));
            return DrillChecks.command(true, true, Path.of(argv.get(0)).getFileName() + " exited 0 in " + r.millis() + " ms");
        } catch (ToolFailedException e) {
            evidence.put("exit_code", e.exitCode());
            evidence.put("error", e.getMessage());
            return DrillChecks.command(true, false, e.getMessage());
        }
    }

    private DrillChecks.Check serve(DrillJob job, List<String> argv, Map<String, String> env, String url, Duration timeout,
                                    Map<String, Object> evidence) throws IOException, InterruptedException {
        Path log = job.workDir().resolve("drill-odoo.log");
        ToolRunner.Server server = tools.startCommand(argv, env, log);
        long deadline = System.nanoTime() + timeout.toNanos();
        int last = -1;
        try {
            while (System.nanoTime() < deadline) {
                last = status(url);
                if (last == 200) break;
                if (!server.alive()) break;
                Thread.sleep(250);
            }
        } finally {
            server.stop(STOP_GRACE);
            if (Files.exists(log)) evidence.put("output_tail", tail(job.redactor().scrub(Files.readString(log))));
        }
        evidence.put("last_status", last);
        if (last == 200) return DrillChecks.command(true, true, url + " answered 200");
        return DrillChecks.command(true, false, server.alive() ? url + " did not answer 200 within " + timeout.toSeconds() + " s (last "
                + last + ")" : Path.of(argv.get(0)).getFileName() + " ended (exit " + safeExit(server) + ") before " + url + " answered 200");
    }

    private static String safeExit(ToolRunner.Server server) {
        try {
            return String.valueOf(server.exitValue());
        } catch (IllegalThreadStateException e) {
            return "?";
        }
    }

    private static int status(String url) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setConnectTimeout(1000);
            c.setReadTimeout(2000);
            try {
                return c.getResponseCode();
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return -1;
        }
    }

    private Map<String, Object> dropClone(DrillJob job) {
        Map<String, Object> done = new LinkedHashMap<>();
        try (PgAdmin admin = new PgAdmin(job.server())) {
            admin.terminate(job.cloneDatabase());
            admin.dropIfExists(job.cloneDatabase());
            done.put("database", job.cloneDatabase());
        } catch (Exception e) {
            done.put("database_left", job.redactor().scrub(String.valueOf(e.getMessage())));
        }
        WorkFiles.deleteTree(job.cloneFilestore());
        done.put("filestore", job.cloneFilestore().toString());
        return done;
    }

    private static void cloneDatabase(DatabaseConfig db, String template, String clone) throws SQLException {
        try (PgAdmin admin = new PgAdmin(db)) {
            admin.terminate(template);
            admin.dropIfExists(clone);
        }
        try (Connection c = EnvironmentDatabase.connect(db, db.name()); Statement st = c.createStatement()) {
            st.execute("create database " + ScratchValidation.quote(clone) + " template " + ScratchValidation.quote(template));
        }
    }

    /** A copy of {@code from} at {@code to} made of hard links (both inside the scratch directory). */
    static void linkTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) Files.createDirectories(target);
                else if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) Files.createLink(target, p);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String tail(String s) {
        return s.length() <= 2000 ? s : s.substring(s.length() - 2000);
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
