package dev.odooops.flows;

import dev.odooops.demo.DemoEnvironment;
import dev.odooops.domain.Json;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The distribution, installed for real (issue 15, section 1): the built {@code target/odoo-ops_<v>_all.deb} goes on
 * this machine with {@code dpkg -i}; {@code odoo-ops --version}, the demo and a backup and restore run from the
 * installed layout as the package's {@code odoo-ops} user, in a mount namespace where the checkout and Maven's home
 * are empty directories (cwd /, a plain PATH); the unit passes {@code systemd-analyze verify}, and {@code serve}, run
 * as the unit runs it, gets ready and drains on SIGTERM; the tarball, unpacked, does the same as the package; {@code dpkg -r} keeps /etc/odoo-ops, {@code dpkg --purge} removes it.
 * <p>Runs as root (CI does). Maven's {@code package} phase runs it after the distribution is built (pom.xml);
 * {@code mvn test -Dtest=PackageInstallTest} uses the .deb of the last {@code mvn package}. It refuses to touch a
 * machine where an odoo-ops package is in real use (/etc/odoo-ops/environments.yaml), purges what an interrupted
 * run left, and purges at the end whatever happened.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PackageInstallTest {
    private static final Path TARGET = TestEnvironment.HOME.resolve("target");
    private static final String S = TestEnvironment.SUFFIX;
    private static final Path SCRATCH = Path.of("/var/tmp/odoo-ops-pkgtest" + S);
    /** Catalogs and databases of this test only (never the default odoo_ops / odoo_demo). */
    private static final String INSTALLED_OPS_DB = "odoo_ops_pkgi" + S;
    private static final String TARBALL_OPS_DB = "odoo_ops_pkgt" + S;
    private static final String SITE_OPS_DB = "odoo_ops_pkgs" + S;
    private static final String INSTALLED_DEMO_DB = "odoo_demo_pkgi" + S;
    private static final String TARBALL_DEMO_DB = "odoo_demo_pkgt" + S;
    private static final String SITE_DB = "odoo_site_pkg" + S;
    /** Odoo's user in the restore test: owns the filestore; odoo-ops is in its group. */
    private static final String ODOO_USER = "odoosite" + S;

    private Path deb;
    private Path tarball;
    /** The configuration directory the restore test wrote (a site's /etc/odoo-ops), served by the serve test. */
    private Path siteConfig;

    @BeforeAll
    void install() throws Exception {
        assertEquals("0", run(null, "id", "-u").out.trim(), "PackageInstallTest installs a package: it runs as root (CI does)");
        deb = single("odoo-ops_*_all.deb");
        tarball = single("odoo-ops-*.tar.gz");
        assertFalse(Files.getLastModifiedTime(deb).compareTo(Files.getLastModifiedTime(TARGET.resolve("odoo-ops.jar"))) < 0,
                deb + " is older than target/odoo-ops.jar: run mvn -B -DskipTests package");
        if (installed() && Files.exists(Path.of("/etc/odoo-ops/environments.yaml"))) {
            fail("an odoo-ops package in use is installed here (/etc/odoo-ops/environments.yaml): this test would purge it");
        }
        cleanUp();
        Files.createDirectories(SCRATCH);
        Result r = run(null, "dpkg", "-i", deb.toString());
        assertEquals(0, r.exit, "dpkg -i " + deb + ":\n" + r.out);
    }

    @AfterAll
    void cleanUp() throws Exception {
        run(null, "dpkg", "--purge", "odoo-ops");
        // what purge keeps on purpose (the evidence, the system user) goes too: this test made it
        run(null, "rm", "-rf", "/var/lib/odoo-ops", SCRATCH.toString());
        if (run(null, "getent", "passwd", ODOO_USER).exit == 0) run(null, "userdel", ODOO_USER);
        run(null, "groupdel", ODOO_USER);
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
             Statement st = c.createStatement()) {
            for (String db : List.of(INSTALLED_OPS_DB, TARBALL_OPS_DB, SITE_OPS_DB, INSTALLED_DEMO_DB, TARBALL_DEMO_DB, SITE_DB)) {
                st.execute("drop database if exists " + db + " with (force)");
            }
            for (String role : List.of(INSTALLED_DEMO_DB, TARBALL_DEMO_DB, SITE_DB)) st.execute("drop role if exists " + role);
        }
    }

    @Test
    @Order(1)
    void should_install_the_documented_layout_with_its_user_and_conffiles() throws Exception {
        assertEquals(Path.of("/usr/share/odoo-ops/bin/odoo-ops"), Path.of("/usr/bin/odoo-ops").toRealPath());
        assertTrue(Files.isRegularFile(Path.of("/usr/share/odoo-ops/lib/odoo-ops.jar")));
        assertTrue(Files.isRegularFile(Path.of("/usr/share/odoo-ops/docs/quickstart.md")));
        String launcher = Files.readString(Path.of("/usr/share/odoo-ops/bin/odoo-ops"));
        assertFalse(launcher.contains("mvn"), "the installed launcher never calls Maven");

        String props = Files.readString(Path.of("/etc/odoo-ops/application.properties"));
        assertTrue(props.contains("\nops.evidence-root=/var/lib/odoo-ops/evidence\n"), props);
        assertTrue(props.contains("\nops.work-dir=/var/lib/odoo-ops/work\n"), props);
        assertFalse(props.contains("/var/tmp"), "no installed default under /var/tmp");
        String conffiles = run(null, "dpkg-query", "-W", "-f=${Conffiles}", "odoo-ops").out;
        assertTrue(conffiles.contains("/etc/odoo-ops/application.properties")
                && conffiles.contains("/etc/odoo-ops/environments.example.yaml"), conffiles);

        String[] user = run(null, "getent", "passwd", "odoo-ops").out.trim().split(":");
        assertTrue(Integer.parseInt(user[2]) < 1000, "a system user: " + String.join(":", user));
        assertEquals("/usr/sbin/nologin", user[6]);
        assertEquals("odoo-ops:odoo-ops 750", stat("/var/lib/odoo-ops"));
        assertEquals("odoo-ops:odoo-ops 750", stat("/var/lib/odoo-ops/evidence"));
        assertEquals("root:odoo-ops 750", stat("/etc/odoo-ops"));
    }

    @Test
    @Order(2)
    void should_run_version_and_the_demo_as_the_odoo_ops_user_without_maven_or_the_checkout() throws Exception {
        Result reach = asOdooOps(Path.of("/"), "", "sh", "-c", "command -v mvn || test -e '" + TestEnvironment.HOME
                + "/pom.xml' || echo out-of-reach");
        assertEquals("out-of-reach", reach.out.trim(), "Maven and the checkout are out of the installed run's reach");

        Result version = asOdooOps(Path.of("/"), "", "odoo-ops", "--version");
        assertEquals(0, version.exit, version.out);
        String debVersion = run(null, "dpkg-query", "-W", "-f=${Version}", "odoo-ops").out.trim();
        assertEquals("odoo-ops " + debVersion.replace('~', '-'), version.out.trim(), "the build's version, as the package's");

        Result demo = asOdooOps(Path.of("/"), "-Dops.db.url=jdbc:postgresql://127.0.0.1:5432/" + INSTALLED_OPS_DB
                + " -Ddemo.database=" + INSTALLED_DEMO_DB, "odoo-ops", "demo");
        assertEquals(0, demo.exit, demo.out);
        Map<String, Object> json = lastJson(demo.out);
        assertEquals("success", json.get("status"), demo.out);
        assertEquals(true, json.get("verified"), demo.out);
        assertTrue(json.get("evidence_dir").toString().startsWith("/var/lib/odoo-ops/evidence/"), demo.out);
        assertFalse(demo.out.contains("/var/tmp/odoo-ops"), "the installed demo writes under /var/lib/odoo-ops:\n" + demo.out);
        assertEquals("odoo-ops:odoo-ops", stat("/var/lib/odoo-ops/demo").split(" ")[0]);
    }

    @Test
    @Order(3)
    void should_ship_a_unit_that_verifies_and_gives_the_drain_its_time() throws Exception {
        Path unit = Path.of("/usr/lib/systemd/system/odoo-ops.service");
        Result verify = run(null, "systemd-analyze", "verify", unit.toString());
        assertEquals(0, verify.exit, verify.out);
        assertFalse(verify.out.contains("odoo-ops.service"), "no finding on the unit:\n" + verify.out);

        // the same verification finds a broken copy (it checks, it does not just parse)
        Path broken = Files.createDirectories(SCRATCH.resolve("unit")).resolve("odoo-ops.service");
        Files.writeString(broken, Files.readString(unit).replace("ExecStart=/usr/bin/odoo-ops", "ExecStart=/usr/bin/odoo-ops-missing"));
        assertNotEquals(0, run(null, "systemd-analyze", "verify", broken.toString()).exit);

        // the site drop-in docs/install.md shows (as installed in /usr/share/odoo-ops/docs) loads without a finding
        String doc = Files.readString(Path.of("/usr/share/odoo-ops/docs/install.md"));
        int at = doc.indexOf("```ini", doc.indexOf("## Site configuration for restores"));
        assertTrue(at > 0, "install.md shows a drop-in");
        String dropIn = doc.substring(doc.indexOf('\n', at) + 1, doc.indexOf("```", at + 6)).replaceAll("(?m)^ {3}", "");
        Path units = Files.createDirectories(SCRATCH.resolve("units/odoo-ops.service.d")).getParent();
        Files.copy(unit, units.resolve("odoo-ops.service"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(units.resolve("odoo-ops.service.d/override.conf"), dropIn + "\nNoSuchKey=1\n");
        ProcessBuilder withDropIn = new ProcessBuilder("systemd-analyze", "verify", units.resolve("odoo-ops.service").toString())
                .redirectErrorStream(true);
        withDropIn.environment().put("SYSTEMD_UNIT_PATH", units + ":");
        Process p = withDropIn.start();
        String found = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), found);
        assertEquals(List.of("override.conf:" + (dropIn.lines().count() + 2) + ": Unknown key 'NoSuchKey' in section [Service], ignoring."),
                found.lines().filter(l -> l.contains("override.conf")).map(l -> l.substring(l.lastIndexOf('/') + 1)).toList(),
                "the drop-in is read (the planted key is reported) and nothing else of it is:\n" + found);

        String text = Files.readString(unit);
        Properties installed = new Properties();
        try (var r = Files.newBufferedReader(Path.of("/etc/odoo-ops/application.properties"))) {
            installed.load(r);
        }
        int grace = Integer.parseInt(installed.getProperty("service.shutdown-grace-seconds").trim());
        int timeout = Integer.parseInt(directive(text, "TimeoutStopSec"));
        assertTrue(timeout > grace, "TimeoutStopSec " + timeout + " > service.shutdown-grace-seconds " + grace);
        assertEquals("mixed", directive(text, "KillMode"), "SIGTERM to odoo-ops only: running pg_dump/pg_restore finish");
        assertEquals("odoo-ops", directive(text, "User"));
        assertEquals("/usr/bin/odoo-ops serve", directive(text, "ExecStart"));
    }

    @Test
    @Order(4)
    void should_restore_as_the_package_user_into_a_filestore_of_odoos_user_through_their_shared_group() throws Exception {
        if (run(null, "getent", "passwd", ODOO_USER).exit != 0) {
            assertEquals(0, run(null, "useradd", "--system", "--user-group", "--no-create-home", "--shell",
                    "/usr/sbin/nologin", ODOO_USER).exit);
        }
        assertEquals(0, run(null, "adduser", "--quiet", "odoo-ops", ODOO_USER).exit, "odoo-ops in Odoo's group");

        // Odoo's side: its filestore, as Odoo with UMask=0007 under setgid directories leaves it (docs/install.md)
        Path site = Files.createDirectories(SCRATCH.resolve("site"));
        String password = "Site-Db-Passw0rd";
        DemoEnvironment.Created odoo = DemoEnvironment.create(new DemoEnvironment.Spec("127.0.0.1", 5432, "postgres",
                SITE_DB, SITE_DB, password, site, 60, 40, 7));
        sh("chown", "-R", ODOO_USER + ":" + ODOO_USER, site.toString());
        sh("find", site.toString(), "-type", "d", "-exec", "chmod", "2770", "{}", "+");
        sh("find", site.toString(), "-type", "f", "-exec", "chmod", "0660", "{}", "+");

        // odoo-ops's side: a configuration like /etc/odoo-ops (root writes, odoo-ops reads), its own data directory
        Path ops = Files.createDirectories(SCRATCH.resolve("ops"));
        Path config = Files.createDirectories(SCRATCH.resolve("config"));
        Files.writeString(config.resolve("application.properties"), Files.readString(Path.of("/etc/odoo-ops/application.properties"))
                + "\nops.db.url=jdbc:postgresql://127.0.0.1:5432/" + SITE_OPS_DB + "\nops.evidence-root=" + ops.resolve("evidence")
                + "\nops.work-dir=" + ops.resolve("work") + "\n");
        Files.writeString(config.resolve("environments.yaml"), """
                store:
                  type: local
                  local: {path: %s}
                users:
                  - name: operator
                    permissions:
                      - project: "*"
                        actions: [backup, restore]
                projects:
                  - name: site
                    environments:
                      - name: production
                        type: production
                        database: {host: 127.0.0.1, port: 5432, name: %s, user: %s, password: "${secret:site.db_password}"}
                        filestore: %s
                        filestore_owner: "odoo-ops:%s"
                        odoo_conf: %s
                        addons_paths: [%s]
                        odoo: {version_command: [echo, "Odoo Server 17.0"]}
                """.formatted(ops.resolve("store"), SITE_DB, SITE_DB, odoo.filestore(), ODOO_USER, odoo.appConf(), odoo.addons()));
        Files.writeString(config.resolve("secrets.properties"), "site.db_password=" + password + "\n");
        sh("chown", "-R", "odoo-ops:odoo-ops", ops.toString());
        sh("chmod", "0750", ops.toString());
        sh("chown", "-R", "root:odoo-ops", config.toString());
        sh("chmod", "-R", "g-w,o-rwx", config.toString());
        siteConfig = config;

        Result backup = asOdooOps(Path.of("/"), "", "odoo-ops", "backup", "--config", config.toString(),
                "--project", "site", "--env", "production");
        assertEquals(0, backup.exit, backup.out);
        String artifact = lastJson(backup.out).get("artifact_id").toString();

        // after the backup: files lost, and one Odoo wrote since (it goes aside with the live filestore)
        List<Path> files = tree(odoo.filestore()).filter(Files::isRegularFile).sorted().toList();
        for (Path f : files.subList(0, 10)) Files.delete(f);
        // three as Odoo with the default umask leaves them: odoo-ops may read but not hard-link them (protected_hardlinks)
        for (Path f : files.subList(10, 13)) sh("chmod", "0640", f.toString());
        Result written = asUser(ODOO_USER, "sh", "-c", "umask 007 && echo new > '" + odoo.filestore().resolve("new-file") + "'");
        assertEquals(0, written.exit, written.out);

        Result restore = asOdooOps(Path.of("/"), "", "odoo-ops", "restore", "--config", config.toString(),
                "--project", "site", "--env", "production", "--artifact", artifact, "--confirm", "site/production");
        assertEquals(0, restore.exit, restore.out);
        Map<String, Object> restored = lastJson(restore.out);
        assertEquals("success", restored.get("status"), restore.out);
        Map<String, Object> reuse = Json.readMap(Path.of(restored.get("evidence_dir").toString(), "filestore_reuse.json"));
        assertTrue(((Number) reuse.get("linked_files")).intValue() > 0, "Odoo's 0660 files hard-linked: " + reuse);
        assertTrue(((Number) reuse.get("fetched_files")).intValue() >= 13, "the lost and the unlinkable fetched: " + reuse);

        assertFalse(Files.exists(odoo.filestore().resolve("new-file")), "the live filestore is the artifact's");
        for (Path f : files.subList(0, 13)) assertTrue(Files.isRegularFile(f), f + " restored");
        List<String> wrong = new ArrayList<>();
        for (Path p : tree(odoo.filestore()).toList()) {
            PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            String mode = run(null, "stat", "-c", "%a", p.toString()).out.trim();
            boolean ok = a.group().getName().equals(ODOO_USER) && (a.isDirectory() ? mode.equals("2770") : mode.equals("660"));
            if (!ok) wrong.add(p + " " + a.owner().getName() + ":" + a.group().getName() + " " + mode);
        }
        assertEquals(List.of(), wrong, "Odoo's group, group-writable, setgid directories");
        // Odoo, as its own user, still writes into a directory the restore made, and reads a file it fetched
        Path restoredDir = files.get(0).getParent();
        Result odooWrites = asUser(ODOO_USER, "sh", "-c", "umask 007 && echo x > '" + restoredDir.resolve("written-after")
                + "' && cat '" + files.get(0) + "' > /dev/null");
        assertEquals(0, odooWrites.exit, odooWrites.out);
    }

    @Test
    @Order(5)
    void should_serve_as_the_unit_runs_it_and_drain_on_sigterm() throws Exception {
        assertTrue(siteConfig != null, "needs the site configuration the restore test wrote");
        int httpPort;
        int jmsPort;
        try (java.net.ServerSocket a = new java.net.ServerSocket(0); java.net.ServerSocket b = new java.net.ServerSocket(0)) {
            httpPort = a.getLocalPort();
            jmsPort = b.getLocalPort();
        }
        // the unit's ExecStart, User, WorkingDirectory and ODOO_OPS_CONFIG (the site's configuration directory here)
        Path log = SCRATCH.resolve("serve.log");
        List<String> cmd = asOdooOpsCommand("-Djms.embedded-port=" + jmsPort, List.of("ODOO_OPS_CONFIG=" + siteConfig),
                "/usr/bin/odoo-ops", "serve", "--port", String.valueOf(httpPort));
        Process serve = new ProcessBuilder(cmd).directory(new java.io.File("/var/lib/odoo-ops"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (!Files.readString(log).contains("odoo-ops serve: ready")) {
                assertTrue(serve.isAlive(), "serve ended:\n" + Files.readString(log));
                assertTrue(System.nanoTime() < deadline, "serve not ready in 180 s:\n" + Files.readString(log));
                serve.waitFor(200, TimeUnit.MILLISECONDS);
            }
            var http = java.net.http.HttpClient.newHttpClient();
            var ready = http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + httpPort + "/observe/health/ready")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ready.statusCode(), ready.body());
            try (Stream<Path> journal = Files.list(Path.of("/var/lib/odoo-ops/artemis"))) {
                assertTrue(journal.findAny().isPresent(), "the embedded broker's journal in /var/lib/odoo-ops/artemis");
            }
            serve.destroy(); // SIGTERM, as systemd's stop with KillMode=mixed sends it to the main process
            assertTrue(serve.waitFor(120, TimeUnit.SECONDS), "serve drains and exits on SIGTERM");
            assertTrue(Files.readString(log).contains("odoo-ops serve: stopped"), Files.readString(log));
        } finally {
            serve.destroyForcibly();
        }
    }

    @Test
    @Order(6)
    void should_run_the_unpacked_tarball_the_same_way() throws Exception {
        Path unpacked = Files.createDirectories(SCRATCH.resolve("tarball"));
        sh("tar", "-xzf", tarball.toString(), "-C", unpacked.toString());
        Path home;
        try (Stream<Path> s = Files.list(unpacked)) {
            home = s.findFirst().orElseThrow();
        }
        sh("chown", "-R", "odoo-ops:odoo-ops", unpacked.toString());
        String bin = home.resolve("bin/odoo-ops").toString();

        Result version = asOdooOps(Path.of("/"), "", bin, "--version");
        assertEquals(0, version.exit, version.out);
        assertEquals("odoo-ops " + home.getFileName().toString().substring("odoo-ops-".length()), version.out.trim());

        Result demo = asOdooOps(Path.of("/"), "-Dops.db.url=jdbc:postgresql://127.0.0.1:5432/" + TARBALL_OPS_DB
                + " -Ddemo.database=" + TARBALL_DEMO_DB, bin, "demo");
        assertEquals(0, demo.exit, demo.out);
        Map<String, Object> json = lastJson(demo.out);
        assertEquals(true, json.get("verified"), demo.out);
        assertTrue(json.get("evidence_dir").toString().startsWith(home.resolve("var/evidence") + "/"),
                "the tarball's own config, its var/ (not /etc/odoo-ops): " + json);
        assertTrue(Files.isDirectory(home.resolve("var/demo/filestore")), "demo.root var/demo under the unpacked directory");
    }

    @Test
    @Order(7)
    void should_keep_configuration_and_data_on_remove_and_drop_configuration_on_purge() throws Exception {
        Result remove = run(null, "dpkg", "-r", "odoo-ops");
        assertEquals(0, remove.exit, remove.out);
        assertFalse(Files.exists(Path.of("/usr/bin/odoo-ops"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(Path.of("/usr/share/odoo-ops/lib/odoo-ops.jar")));
        assertTrue(Files.isRegularFile(Path.of("/etc/odoo-ops/application.properties")), "remove keeps the configuration");
        assertTrue(Files.isDirectory(Path.of("/var/lib/odoo-ops/evidence")), "remove keeps the data");

        Result purge = run(null, "dpkg", "--purge", "odoo-ops");
        assertEquals(0, purge.exit, purge.out);
        assertFalse(Files.exists(Path.of("/etc/odoo-ops")), "purge removes the configuration");
        assertFalse(installed());
    }

    // --- helpers ---

    private record Result(int exit, String out) {
    }

    /**
     * {@code command} as the odoo-ops user (its groups too), cwd {@code dir}, PATH /usr/local/bin:/usr/bin:/bin and no
     * other variable of this JVM, in a mount namespace where the checkout and Maven's home are empty tmpfs.
     */
    private static Result asOdooOps(Path dir, String javaOpts, String... command) throws Exception {
        return run(dir, asOdooOpsCommand(javaOpts, List.of(), command).toArray(String[]::new));
    }

    private static List<String> asOdooOpsCommand(String javaOpts, List<String> env, String... command) throws Exception {
        String mavenHome = run(null, "sh", "-c", "m=$(command -v mvn) && dirname \"$(dirname \"$(readlink -f \"$m\")\")\"").out.trim();
        List<String> cmd = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
                "for d in \"$1\" \"$2\"; do [ -d \"$d\" ] && mount -t tmpfs -o size=1m,mode=0755 hidden \"$d\"; done; shift 2; exec \"$@\"",
                "hide", TestEnvironment.HOME.toString(), mavenHome.isEmpty() ? "/nonexistent" : mavenHome,
                "setpriv", "--reuid=odoo-ops", "--regid=odoo-ops", "--init-groups", "--",
                "env", "-i", "PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/var/lib/odoo-ops", "LANG=C.UTF-8",
                "ODOO_OPS_JAVA_OPTS=" + javaOpts));
        cmd.addAll(env);
        cmd.addAll(List.of(command));
        return cmd;
    }

    private static Result asUser(String user, String... command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + user, "--regid=" + user, "--init-groups", "--"));
        cmd.addAll(List.of(command));
        return run(Path.of("/"), cmd.toArray(String[]::new));
    }

    private static Result run(Path dir, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (dir != null) pb.directory(dir.toFile());
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail(String.join(" ", command) + ": timed out");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static void sh(String... command) throws Exception {
        Result r = run(null, command);
        assertEquals(0, r.exit, String.join(" ", command) + ":\n" + r.out);
    }

    private static String stat(String path) throws Exception {
        return run(null, "stat", "-c", "%U:%G %a", path).out.trim();
    }

    private static boolean installed() throws Exception {
        return run(null, "dpkg-query", "-W", "-f=${Status}", "odoo-ops").out.contains("installed")
                && !run(null, "dpkg-query", "-W", "-f=${Status}", "odoo-ops").out.contains("not-installed");
    }

    private static Path single(String glob) throws IOException {
        List<Path> found = new ArrayList<>();
        try (var s = Files.newDirectoryStream(TARGET, glob)) {
            s.forEach(found::add);
        }
        assertEquals(1, found.size(), "one " + glob + " in target/ (mvn -B -DskipTests package builds it): " + found);
        return found.get(0);
    }

    private static Stream<Path> tree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.toList().stream();
        }
    }

    private static String directive(String unit, String key) {
        return unit.lines().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1).trim())
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no " + key + "= in the unit"));
    }

    /** The last line of a command's output that is a JSON object (the commands print their result last). */
    private static Map<String, Object> lastJson(String out) {
        List<String> lines = out.lines().filter(l -> l.startsWith("{")).toList();
        assertFalse(lines.isEmpty(), "no JSON line in:\n" + out);
        return Json.readMap(lines.get(lines.size() - 1));
    }
}
