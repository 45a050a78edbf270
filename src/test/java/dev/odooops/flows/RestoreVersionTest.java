package dev.odooops.flows;

import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.Report;
import dev.odooops.domain.RequestRejected;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.RestoreResult;
import dev.odooops.model.ValidateEnvRequest;
import dev.odooops.support.EnvironmentState;
import dev.odooops.support.FlowFixture;
import dev.odooops.support.OdooStandIn;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;

import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #13 A3: a restore never changes the application's version. The target server's version is learned before
 * anything is touched (odoo.version_command, else the running server's /web/webclient/version_info; Dolibarr's
 * DOL_VERSION), a different series is refused naming both, an unknowable one needs the operator's statement, and
 * the modules validation compares base's series with the server's. Real PostgreSQL, S3 endpoint and tools, and the
 * Odoo stand-in answering version_info as Odoo does.
 */
class RestoreVersionTest {
    private FlowFixture fx;
    private TestEnvironment env;
    private OdooStandIn odoo;

    @AfterEach
    void cleanUp() throws Exception {
        if (fx != null) fx.close();
    }

    private RestoreRequest request(String artifact) {
        return fx.restoreRequest(artifact, BackupType.FULL, RestoreRequest.Mode.FORCE);
    }

    /** An environment whose Odoo is the stand-in (its version learned over HTTP), and a runtime on it. */
    private void startWithStandIn(String name) throws Exception {
        fx = FlowFixture.standIn(name);
        env = fx.env;
        odoo = fx.odoo;
    }

    /** An environment without a stand-in (its version from a version_command, or Dolibarr's code), and a runtime on it. */
    private void start(TestEnvironment made) throws Exception {
        fx = FlowFixture.of(made);
        env = fx.env;
    }

    private long restoreRuns() throws Exception {
        return (Long) ops("select count(*) as n from ops.runs where environment_id = ? and operation_type = 'restore'",
                env.environmentId()).get(0).get("n");
    }

    private long databaseOid() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "")) {
            var ps = c.prepareStatement("select oid from pg_database where datname = ?");
            ps.setString(1, env.database);
            var rs = ps.executeQuery();
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Refused before anything ran: no restore run, the same database and files, Odoo never stopped nor in maintenance. */
    private RequestRejected refusedTouchingNothing(RestoreRequest request) throws Exception {
        EnvironmentState before = EnvironmentState.of(env);
        long oid = databaseOid();
        long runs = restoreRuns();
        int calls = odoo == null ? 0 : odoo.calls().size();
        RequestRejected r = assertThrows(RequestRejected.class, () -> fx.runtime().operations().restore(request));
        assertEquals("odoo_version", r.field(), r.getMessage());
        assertEquals(before, EnvironmentState.of(env), "live database and filestore unchanged");
        assertEquals(oid, databaseOid(), "the same physical database");
        assertEquals(runs, restoreRuns(), "no restore run was recorded");
        if (odoo != null) {
            List<String> since = odoo.calls().subList(calls, odoo.calls().size());
            assertTrue(since.stream().allMatch(c -> c.equals("POST /web/webclient/version_info")),
                    "only the version was asked: " + since);
            assertTrue(odoo.running() && !odoo.inMaintenance());
        }
        try (var left = Files.list(env.workDir)) {
            assertEquals(List.of(), left.toList(), "no work directory left");
        }
        return r;
    }

    @Test
    void should_refuse_a_17_artifact_on_an_odoo_18_server_naming_both_with_nothing_touched() throws Exception {
        startWithStandIn("ver_http");
        BackupResult b = fx.backup();

        odoo.version = "18.0+e"; // the binaries were upgraded in place
        RequestRejected r = refusedTouchingNothing(request(b.artifactId()));
        assertTrue(r.getMessage().contains("Odoo 17.0") && r.getMessage().contains("18.0"), r.getMessage());
        assertTrue(r.getMessage().contains("/web/webclient/version_info"), "says where it learned the server's: " + r.getMessage());

        Report preflight = fx.runtime().operations().preflightRestore(request(b.artifactId()));
        assertFalse(preflight.ok());
        assertTrue(preflight.body().toString().contains("18.0"), preflight.body().toString());

        // the series is what counts: 17.0+e serves a 17.0 database
        odoo.version = "17.0+e";
        RestoreResult ok = fx.runtime().operations().restore(request(b.artifactId()));
        assertEquals("success", ok.status(), ok.error());
    }

    @Test
    void should_learn_the_version_from_the_version_command() throws Exception {
        start(TestEnvironment.create("ver_cmd"));
        BackupResult b = fx.backup();

        env.withServerVersion("18.0"); // version_command: echo "Odoo Server 18.0"
        fx.restart();
        RequestRejected r = refusedTouchingNothing(request(b.artifactId()));
        assertTrue(r.getMessage().contains("version_command echo") && r.getMessage().contains("Odoo Server 18.0"), r.getMessage());

        env.withServerVersion("17.0");
        fx.restart();
        RestoreResult ok = fx.runtime().operations().restore(request(b.artifactId()));
        assertEquals("success", ok.status(), ok.error());
        Map<String, Object> report = dev.odooops.domain.Json.readMap(Path.of(ok.evidenceDir(), "validation_report.json"));
        assertTrue(report.toString().contains("base is 17.0.1.3, series 17.0 as the server's"), report.toString());
    }

    @Test
    void should_refuse_when_no_version_can_be_learned_unless_the_operator_states_it() throws Exception {
        startWithStandIn("ver_none");
        BackupResult b = fx.backup();

        // Odoo is down: version_info does not answer
        java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(odoo.url() + "/stop"))
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(), java.net.http.HttpResponse.BodyHandlers.discarding());
        EnvironmentState before = EnvironmentState.of(env);
        RequestRejected down = assertThrows(RequestRejected.class, () -> fx.runtime().operations().restore(request(b.artifactId())));
        assertEquals("odoo_version", down.field());
        assertTrue(down.getMessage().contains("cannot be learned") && down.getMessage().contains("HTTP 503"), down.getMessage());
        assertEquals(before, EnvironmentState.of(env));

        // nothing configured at all
        odoo.close();
        odoo = null;
        env.withOdooYaml("timeout_seconds: 3").withServerVersion(null);
        fx.restart();
        RequestRejected none = refusedTouchingNothing(request(b.artifactId()));
        assertTrue(none.getMessage().contains("neither odoo.version_command nor odoo.health_url"), none.getMessage());

        RequestRejected wrong = refusedTouchingNothing(request(b.artifactId()).statingVersion("18.0"));
        assertTrue(wrong.getMessage().contains("17.0") && wrong.getMessage().contains("18.0"), wrong.getMessage());
        assertTrue(wrong.getMessage().contains("stated by the operator"), wrong.getMessage());

        RestoreResult stated = fx.runtime().operations().restore(request(b.artifactId()).statingVersion("17.0"));
        assertEquals("success", stated.status(), stated.error());
    }

    @Test
    void should_refuse_a_statement_the_server_contradicts() throws Exception {
        start(TestEnvironment.create("ver_contra"));
        BackupResult b = fx.backup();
        RequestRejected r = refusedTouchingNothing(request(b.artifactId()).statingVersion("18.0"));
        assertTrue(r.getMessage().contains("stated 18.0") && r.getMessage().contains("17.0"), r.getMessage());
    }

    @Test
    void should_fail_the_modules_validation_of_a_database_whose_base_series_is_not_the_servers() throws Exception {
        startWithStandIn("ver_modules");
        Report same = fx.runtime().operations().validateEnvironment(new ValidateEnvRequest(env.project, "prod", null, null, "operator"));
        assertEquals("passed", check(same, "modules").get("status"), same.body().toString());

        odoo.version = "18.0"; // an Odoo 18 serving the 17.0 database: /web/health still passes
        Report other = fx.runtime().operations().validateEnvironment(new ValidateEnvRequest(env.project, "prod", null, null, "operator"));
        assertFalse(other.ok());
        Map<String, Object> modules = check(other, "modules");
        assertEquals("failed", modules.get("status"));
        assertTrue(String.valueOf(modules.get("detail")).contains("base is 17.0.1.3, series 17.0, but the server runs 18.0"),
                modules.toString());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> check(Report report, String name) {
        for (Object c : (List<Object>) report.body().get("checks")) {
            Map<String, Object> m = dev.odooops.domain.Json.MAPPER.convertValue(c, Map.class);
            if (name.equals(m.get("name"))) return m;
        }
        throw new AssertionError("no check " + name + " in " + report.body());
    }

    @Test
    void should_refuse_a_dolibarr_artifact_on_code_of_another_major_version() throws Exception {
        start(TestEnvironment.createDolibarr("ver_doli"));
        BackupResult b = fx.backup();
        Path filefunc = env.odoo.appConf().getParent().getParent().resolve("filefunc.inc.php");
        String code = Files.readString(filefunc);
        Files.writeString(filefunc, code.replace("'20.0.2'", "'21.0.1'"));
        RequestRejected r = refusedTouchingNothing(request(b.artifactId()));
        assertTrue(r.getMessage().contains("Dolibarr 20.0") && r.getMessage().contains("21.0"), r.getMessage());
        assertTrue(r.getMessage().contains("DOL_VERSION of " + filefunc), r.getMessage());

        Files.writeString(filefunc, code.replace("'20.0.2'", "'20.0.3'")); // a patch release serves the same series
        RestoreResult ok = fx.runtime().operations().restore(request(b.artifactId()));
        assertEquals("success", ok.status(), ok.error());
    }
}
