package dev.odooops.domain;

import dev.odooops.support.OdooZipWriter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("fast")
class OdooZipTest {
    static final OdooZip.Limits LIMITS = new OdooZip.Limits(1000, 100L << 20, 50L << 20, 100);
    @TempDir
    Path dir;

    private OdooZipWriter odooLayout() {
        return new OdooZipWriter().member("dump.sql", "select 1;\n").member("manifest.json", OdooZipWriter.manifest("db", "17.0"))
                .filestoreFile("hello".getBytes(StandardCharsets.UTF_8));
    }

    private OdooZip.Refused refused(OdooZipWriter w, OdooZip.Limits limits) throws Exception {
        Path zip = w.write(dir.resolve("x.zip"));
        return assertThrows(OdooZip.Refused.class, () -> {
            OdooZip.Listing l = OdooZip.inspect(zip, limits);
            OdooZip.extract(zip, l, limits, dir.resolve("out"));
        });
    }

    @Test
    void should_extract_odoo_layout_with_each_filestore_name_its_sha1() throws Exception {
        Path zip = odooLayout().member("filestore/checklist/ab/cd", "").member("extra.txt", "x").write(dir.resolve("ok.zip"));
        OdooZip.Listing l = OdooZip.inspect(zip, LIMITS);
        assertEquals(3, l.extracted().size());
        assertEquals(2, l.ignored().size(), l.ignored().toString());
        OdooZip.Extracted x = OdooZip.extract(zip, l, LIMITS, dir.resolve("out"));
        assertEquals(1, x.files());
        String sha = OdooZipWriter.sha1("hello".getBytes(StandardCharsets.UTF_8));
        assertEquals("hello", Files.readString(x.filestore().resolve(sha.substring(0, 2)).resolve(sha)));
        assertEquals("select 1;\n", Files.readString(x.dump()));
        assertFalse(Files.exists(dir.resolve("out/extra.txt")));
    }

    @Test
    void should_refuse_a_traversal_member_before_extracting() throws Exception {
        OdooZip.Refused r = refused(odooLayout().member("../x", "evil"), LIMITS);
        assertEquals("../x", r.member());
        assertTrue(r.getMessage().contains(".."), r.getMessage());
        assertFalse(Files.exists(dir.resolve("out")));
        assertFalse(Files.exists(dir.resolve("x"))); // where ../x from out/ would land
    }

    @Test
    void should_refuse_absolute_backslash_and_inner_traversal_names() {
        for (String name : new String[]{"/etc/passwd", "filestore\\ab\\x", "filestore/../../x", "C:/x", "a//b", "./dump.sql"}) {
            assertThrows(OdooZip.Refused.class, () -> OdooZip.checkName(name), name);
        }
        OdooZip.checkName("filestore/ab/" + "a".repeat(40));
    }

    @Test
    void should_refuse_a_symlink_member() throws Exception {
        OdooZip.Refused r = refused(odooLayout().symlink("filestore/ab/" + "ab".repeat(20), "/etc/passwd"), LIMITS);
        assertTrue(r.getMessage().contains("symbolic link"), r.getMessage());
    }

    @Test
    void should_refuse_a_filestore_file_whose_name_is_not_its_sha1() throws Exception {
        String wrong = "ab" + "0".repeat(38);
        OdooZip.Refused r = refused(odooLayout().member("filestore/ab/" + wrong, "not that"), LIMITS);
        assertEquals("filestore/ab/" + wrong, r.member());
        assertTrue(r.getMessage().contains("SHA-1"), r.getMessage());
    }

    @Test
    void should_refuse_too_many_members_from_the_central_directory() throws Exception {
        OdooZipWriter w = odooLayout();
        for (int i = 0; i < 20; i++) w.filestoreFile(("f" + i).getBytes(StandardCharsets.UTF_8));
        OdooZip.Refused r = refused(w, new OdooZip.Limits(10, 1L << 30, 1L << 30, 100));
        assertTrue(r.getMessage().contains("zip.max-members"), r.getMessage());
    }

    @Test
    void should_refuse_a_bomb_by_its_ratio_and_sizes() throws Exception {
        Path zip = OdooZipWriter.bomb(dir.resolve("bomb.zip"), "dump.sql", 40L << 20,
                Map.of("manifest.json", OdooZipWriter.manifest("db", "17.0").getBytes(StandardCharsets.UTF_8)));
        OdooZip.Refused r = assertThrows(OdooZip.Refused.class, () -> OdooZip.inspect(zip, LIMITS));
        assertTrue(r.getMessage().contains("zip bomb"), r.getMessage());
        OdooZip.Refused big = assertThrows(OdooZip.Refused.class, () -> OdooZip.inspect(zip, new OdooZip.Limits(10, 1L << 40, 10L << 20, 100000)));
        assertTrue(big.getMessage().contains("zip.max-member-bytes"), big.getMessage());
        OdooZip.Refused total = assertThrows(OdooZip.Refused.class, () -> OdooZip.inspect(zip, new OdooZip.Limits(10, 10L << 20, 1L << 40, 100000)));
        assertTrue(total.getMessage().contains("zip.max-bytes"), total.getMessage());
    }

    @Test
    void should_refuse_a_member_that_inflates_beyond_its_declared_size() throws Exception {
        Path zip = odooLayout().write(dir.resolve("lie.zip"));
        OdooZip.Listing honest = OdooZip.inspect(zip, LIMITS);
        // the central directory says 3 bytes for dump.sql: the real inflated bytes are counted
        OdooZip.Listing lying = new OdooZip.Listing(honest.extracted().stream().map(m -> m.name().equals("dump.sql")
                ? new OdooZip.Member(m.name(), m.method(), m.compressedSize(), 3, 0, 0) : m).toList(), honest.ignored(), 0, 3);
        OdooZip.Refused r = assertThrows(OdooZip.Refused.class, () -> OdooZip.extract(zip, lying, LIMITS, dir.resolve("out")));
        assertTrue(r.getMessage().contains("more than the 3 bytes"), r.getMessage());
    }

    @Test
    void should_refuse_a_zip_without_dump_or_manifest() throws Exception {
        assertTrue(refused(new OdooZipWriter().member("manifest.json", "{}"), LIMITS).getMessage().contains("dump.sql"));
        assertTrue(refused(new OdooZipWriter().member("dump.sql", ""), LIMITS).getMessage().contains("manifest.json"));
    }

    @Test
    void should_check_the_manifest_series_naming_the_field() {
        Map<String, Object> m = Json.readMap(OdooZipWriter.manifest("db", "16.0"));
        OdooZip.Refused r = assertThrows(OdooZip.Refused.class, () -> OdooZipManifest.checkSeries(m, "17.0"));
        assertTrue(r.getMessage().contains("version: the zip is of Odoo 16.0"), r.getMessage());
        assertEquals("17.0", OdooZipManifest.checkSeries(Json.readMap(OdooZipWriter.manifest("db", "17.0")), "17.0"));
        Map<String, Object> mixed = new java.util.LinkedHashMap<>(Json.readMap(OdooZipWriter.manifest("db", "17.0")));
        mixed.put("version_info", java.util.List.of(18, 0, 0, "final", 0, ""));
        assertTrue(assertThrows(OdooZip.Refused.class, () -> OdooZipManifest.checkSeries(mixed, "17.0")).getMessage()
                .contains("version_info"));
    }

    @Test
    void should_write_a_manifest_as_dump_db_manifest_does() {
        Map<String, Object> m = OdooZipManifest.of("db", "17.0", Map.of("base", "17.0.1.3"), "15");
        assertEquals("1", m.get("odoo_dump"));
        assertEquals(java.util.List.of(17, 0, 0, "final", 0, ""), m.get("version_info"));
        assertEquals("17.0", m.get("major_version"));
        assertEquals("15.0", m.get("pg_version"));
    }
}
