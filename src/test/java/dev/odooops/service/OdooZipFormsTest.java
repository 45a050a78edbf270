package dev.odooops.service;

import dev.odooops.domain.RequestRejected;
import dev.odooops.model.ExportZipRequest;
import dev.odooops.model.ImportZipRequest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** import_zip and export_zip as every service channel carries them (POST /api/v1/runs, JMS, inbox): server-side paths. */
@Tag("fast")
class OdooZipFormsTest {
    @Test
    void should_read_an_import_zip_request_with_its_server_side_file_as_the_channels_principal() {
        Submission s = Submission.of("import_zip", Map.of("environment", "acme/prod", "file", "/srv/zips/acme.zip",
                "request_id", "r-1"), "operator", "http");
        ImportZipRequest r = (ImportZipRequest) s.request();
        assertEquals("/srv/zips/acme.zip", r.file());
        assertEquals("operator", r.user());
        assertEquals("http", r.trigger());
        assertEquals("backup", r.action());
        assertEquals("/srv/zips/acme.zip", s.toJson().get("file"));
    }

    @Test
    void should_refuse_relative_or_unsafe_paths_naming_the_field() {
        for (String bad : new String[]{"acme.zip", "../acme.zip", "/srv/../etc/passwd", "/srv//x.zip", "/proc/self/environ", "/srv/zips/"}) {
            RequestRejected r = assertThrows(RequestRejected.class, () -> Submission.of("import_zip",
                    Map.of("environment", "prod", "file", bad), "operator", "jms"), bad);
            assertEquals("file", r.field(), bad);
        }
        RequestRejected out = assertThrows(RequestRejected.class, () -> Submission.of("export_zip",
                Map.of("environment", "prod", "artifact_id", "a-1", "out", "out.zip"), "operator", "inbox"));
        assertEquals("out", out.field());
        RequestRejected unknown = assertThrows(RequestRejected.class, () -> Submission.of("import_zip",
                Map.of("environment", "prod", "file", "/x.zip", "user", "someone"), "operator", "http"));
        assertEquals("user", unknown.field());
    }

    @Test
    void should_read_an_export_zip_request_needing_copy() {
        ExportZipRequest r = (ExportZipRequest) Submission.of("export_zip", Map.of("environment", "prod", "artifact_id", "a-1",
                "out", "/srv/out/a-1.zip"), "operator", "http").request();
        assertEquals("copy", r.action());
        assertEquals(Map.of("artifact_id", "a-1", "out", "/srv/out/a-1.zip"), r.fields());
    }
}
