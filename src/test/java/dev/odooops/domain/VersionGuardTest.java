package dev.odooops.domain;

import dev.odooops.model.BackupType;
import dev.odooops.model.RestoreRequest;
import dev.odooops.service.Submission;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("fast")
class VersionGuardTest {
    private static final VersionGuard.Target ODOO_18 = new VersionGuard.Target("18.0", "18.0", "version_info of http://odoo");

    @Test
    void should_read_the_series_of_every_way_odoo_and_dolibarr_write_a_version() {
        assertEquals("17.0", VersionGuard.series("Odoo Server 17.0"));
        assertEquals("17.0", VersionGuard.series("Odoo Server 17.0+e"));
        assertEquals("18.0", VersionGuard.series("18.0+e-20241001"));
        assertEquals("saas~17.1", VersionGuard.series("saas~17.1"));
        assertEquals("saas~17.1", VersionGuard.series("Odoo Server saas~17.1rc1"));
        assertEquals("17.0", VersionGuard.series("17.0.1.3"), "base's module version");
        assertEquals("saas~17.2", VersionGuard.series("saas~17.2.1.0"));
        assertEquals("20.0", VersionGuard.series("20.0.2"), "Dolibarr");
        assertNull(VersionGuard.series("Odoo Server"));
        assertNull(VersionGuard.series(null));
    }

    @Test
    void should_accept_only_a_major_version_as_a_statement() {
        for (String ok : new String[]{"17.0", "18.0", "saas~17.1", "20.0"}) assertNull(VersionGuard.statedProblem(ok), ok);
        for (String bad : new String[]{"17", "17.0.1", "17.1", "v17.0", "saas-17.1", "", " 17.0"}) {
            assertNotNull(VersionGuard.statedProblem(bad), bad);
        }
    }

    @Test
    void should_refuse_another_series_naming_both() {
        VersionGuard.Verdict v = VersionGuard.judge(AppProfile.ODOO, "a1", "17.0", ODOO_18, null, null);
        assertFalse(v.ok());
        assertTrue(v.detail().contains("Odoo 17.0") && v.detail().contains("18.0"), v.detail());
        assertTrue(v.detail().contains("version_info of http://odoo"), "says where the server's version came from: " + v.detail());
    }

    @Test
    void should_pass_the_same_series_and_keep_the_target() {
        VersionGuard.Target t = new VersionGuard.Target("Odoo Server 17.0+e", "17.0", "odoo.version_command odoo-bin");
        VersionGuard.Verdict v = VersionGuard.judge(AppProfile.ODOO, "a1", "17.0", t, null, null);
        assertTrue(v.ok(), v.detail());
        assertEquals(t, v.target());
    }

    @Test
    void should_refuse_an_unknown_server_version_unless_stated() {
        VersionGuard.Verdict unknown = VersionGuard.judge(AppProfile.ODOO, "a1", "17.0", null, "Odoo is down", null);
        assertFalse(unknown.ok());
        assertTrue(unknown.detail().contains("Odoo is down") && unknown.detail().contains("--odoo-version"), unknown.detail());

        VersionGuard.Verdict stated = VersionGuard.judge(AppProfile.ODOO, "a1", "17.0", null, "Odoo is down", "17.0");
        assertTrue(stated.ok(), stated.detail());
        assertTrue(stated.target().source().contains("stated"), stated.target().source());

        VersionGuard.Verdict wrong = VersionGuard.judge(AppProfile.ODOO, "a1", "17.0", null, "Odoo is down", "18.0");
        assertFalse(wrong.ok());
        assertTrue(wrong.detail().contains("17.0") && wrong.detail().contains("18.0"), wrong.detail());
    }

    @Test
    void should_refuse_a_statement_that_contradicts_the_server() {
        VersionGuard.Verdict v = VersionGuard.judge(AppProfile.ODOO, "a1", "18.0", ODOO_18, null, "17.0");
        assertFalse(v.ok());
        assertTrue(v.detail().contains("stated 17.0") && v.detail().contains("18.0"), v.detail());
    }

    @Test
    void should_take_an_old_manifests_series_from_base_and_refuse_an_artifact_without_any() {
        assertEquals("16.0", VersionGuard.artifactSeries(null, Map.of("base", "16.0.1.3", "web", "16.0.1.0"), AppProfile.ODOO));
        assertEquals("17.0", VersionGuard.artifactSeries("17.0", Map.of("base", "16.0.1.3"), AppProfile.ODOO));
        assertNull(VersionGuard.artifactSeries(null, Map.of(), AppProfile.ODOO));
        VersionGuard.Verdict v = VersionGuard.judge(AppProfile.ODOO, "a1", null, ODOO_18, null, null);
        assertFalse(v.ok());
        assertTrue(v.detail().contains("records no Odoo version"), v.detail());
    }

    @Test
    void should_compare_dolibarr_by_its_major_version() {
        VersionGuard.Target code = new VersionGuard.Target("21.0.0", "21.0", "DOL_VERSION of /srv/htdocs/filefunc.inc.php");
        String artifact = VersionGuard.artifactSeries("20.0.2", Map.of(), AppProfile.DOLIBARR);
        VersionGuard.Verdict v = VersionGuard.judge(AppProfile.DOLIBARR, "a1", artifact, code, null, null);
        assertFalse(v.ok());
        assertTrue(v.detail().contains("Dolibarr 20.0") && v.detail().contains("21.0"), v.detail());
        VersionGuard.Target patch = new VersionGuard.Target("20.0.3", "20.0", "DOL_VERSION of /srv/htdocs/filefunc.inc.php");
        assertTrue(VersionGuard.judge(AppProfile.DOLIBARR, "a1", artifact, patch, null, null).ok());
    }

    @Test
    void should_refuse_a_malformed_statement_on_every_channel_naming_the_field() {
        RequestRejected r = assertThrows(RequestRejected.class, () -> Submission.of("restore", Map.of("environment", "p/e",
                "artifact_id", "a1", "odoo_version", "17"), "operator", "http"));
        assertEquals("odoo_version", r.field());
        Submission ok = Submission.of("restore", Map.of("environment", "p/e", "artifact_id", "a1", "odoo_version", "saas~17.1"),
                "operator", "http");
        assertEquals("saas~17.1", ((RestoreRequest) ok.request()).odooVersion());
        assertEquals("saas~17.1", ok.toJson().get("odoo_version"), "kept for a pick-up after a restart");
        assertThrows(RequestRejected.class, () -> new RestoreRequest("p", "e", "a1", BackupType.FULL, true, true, null,
                "operator", "cli", RestoreRequest.Mode.AUTO, "18"));
    }
}
