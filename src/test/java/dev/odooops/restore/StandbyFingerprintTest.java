package dev.odooops.restore;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The standby's fingerprint: what refuses it (any difference, anything unknown) and the kept filestore's layout. */
@Tag("fast")
class StandbyFingerprintTest {

    private static Map<String, Object> db() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("oid", 16384L);
        m.put("datallowconn", false);
        m.put("tup_inserted", 1000L);
        m.put("tup_updated", 10L);
        m.put("tup_deleted", 0L);
        m.put("xact_commit", 55L);
        m.put("xact_rollback", 0L);
        m.put("stats_reset", "never");
        m.put("size_bytes", 8_000_000L);
        return m;
    }

    @Test
    void should_accept_only_the_very_same_values_and_refuse_anything_unknown() {
        assertNull(StandbyFingerprint.compare(db(), db(), StandbyFingerprint.DATABASE_KEYS, "db"));
        // numbers read back from jsonb may come as Integer: the same value is the same
        Map<String, Object> fromJson = db();
        fromJson.put("tup_deleted", 0);
        assertNull(StandbyFingerprint.compare(fromJson, db(), StandbyFingerprint.DATABASE_KEYS, "db"));
        for (String key : StandbyFingerprint.DATABASE_KEYS) {
            Map<String, Object> now = db();
            now.put(key, key.equals("datallowconn") ? true : key.equals("stats_reset") ? "2026-12-06" : 1L);
            String why = StandbyFingerprint.compare(db(), now, StandbyFingerprint.DATABASE_KEYS, "db");
            assertNotNull(why, key);
            assertTrue(why.contains(key), why);
            Map<String, Object> missing = db();
            missing.remove(key);
            assertNotNull(StandbyFingerprint.compare(db(), missing, StandbyFingerprint.DATABASE_KEYS, "db"), key);
            assertNotNull(StandbyFingerprint.compare(missing, db(), StandbyFingerprint.DATABASE_KEYS, "db"), key);
        }
        assertTrue(StandbyFingerprint.compare(Map.of(), db(), StandbyFingerprint.DATABASE_KEYS, "db").contains("no fingerprint"));
        assertTrue(StandbyFingerprint.compare(db(), Map.of(), StandbyFingerprint.DATABASE_KEYS, "db").contains("not found"));
    }

    @Test
    void should_change_the_layout_when_a_file_is_rewritten_added_or_removed(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("kept");
        Files.createDirectories(root.resolve("ab"));
        Path a = Files.writeString(root.resolve("ab").resolve("abc1"), "one");
        Files.writeString(root.resolve("ab").resolve("abc2"), "two");
        Map<String, Object> first = StandbyFingerprint.filestore(root);
        assertEquals(2L, first.get("files"));
        assertEquals(6L, first.get("bytes"));
        assertEquals(first, StandbyFingerprint.filestore(root));

        // rewritten in place with the same size and the old modification time put back: the inode is the same, but ...
        FileTime mtime = Files.getLastModifiedTime(a);
        Files.writeString(a, "ONE");
        assertNotNull(StandbyFingerprint.compare(first, StandbyFingerprint.filestore(root), StandbyFingerprint.FILESTORE_KEYS, "fs"));
        Files.setLastModifiedTime(a, mtime);
        // (content rewritten under the same inode, size and time is beyond a layout: the database side and the artifact's
        // checks carry the proof; a replaced file is caught)
        Path tmp = Files.writeString(root.resolve("ab").resolve(".tmp"), "one");
        Files.move(tmp, a, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(a, mtime);
        assertNotNull(StandbyFingerprint.compare(first, StandbyFingerprint.filestore(root), StandbyFingerprint.FILESTORE_KEYS, "fs"),
                "a replaced file (new inode)");

        Map<String, Object> now = StandbyFingerprint.filestore(root);
        Files.writeString(root.resolve("ab").resolve("abc3"), "three");
        assertNotNull(StandbyFingerprint.compare(now, StandbyFingerprint.filestore(root), StandbyFingerprint.FILESTORE_KEYS, "fs"));
        Files.delete(root.resolve("ab").resolve("abc3"));
        Files.setLastModifiedTime(root.resolve("ab"), FileTime.from(Instant.now()));
        assertNull(StandbyFingerprint.compare(now, StandbyFingerprint.filestore(root), StandbyFingerprint.FILESTORE_KEYS, "fs"),
                "directories' times do not count, only files");

        Files.createSymbolicLink(root.resolve("ab").resolve("link"), a);
        assertThrows(java.io.IOException.class, () -> StandbyFingerprint.filestore(root));
        assertTrue(StandbyFingerprint.filestore(dir.resolve("absent")).isEmpty());
    }

    @Test
    void should_name_the_kept_and_pending_copies_within_postgresqls_63_characters() {
        assertEquals("odoo__standby", StandbyCopies.database("odoo"));
        assertEquals("odoo__standby_0a1b2c3d", StandbyCopies.pendingDatabase("odoo", "0a1b2c3d"));
        String longName = "x".repeat(63);
        assertEquals(63, StandbyCopies.database(longName).length());
        assertTrue(StandbyCopies.pendingDatabase(longName, "0a1b2c3d").endsWith("__standby_0a1b2c3d"));
        assertEquals(Path.of("/srv/filestore/odoo.standby"), StandbyCopies.filestore(Path.of("/srv/filestore/odoo")));
        assertEquals(Path.of("/srv/filestore/odoo.standby-0a1b2c3d"), StandbyCopies.pendingFilestore(Path.of("/srv/filestore/odoo"), "0a1b2c3d"));
    }
}
