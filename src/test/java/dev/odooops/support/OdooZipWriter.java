package dev.odooops.support;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes zips in the layout of Odoo's database manager (dump.sql, manifest.json, filestore/<2 hex>/<sha1>), and the
 * hostile variants a test needs: any member name (a traversal, an absolute path), a member marked as a Unix symbolic
 * link in the central directory (java.util.zip cannot, so the written bytes are patched), a bomb of zeros.
 */
public final class OdooZipWriter {
    private final Map<String, byte[]> members = new LinkedHashMap<>();
    private final List<String> symlinks = new ArrayList<>();

    public static String sha1(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(content));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** manifest.json as Odoo 17's dump_db_manifest writes it, for {@code series} (17.0). */
    public static String manifest(String dbName, String series) {
        String major = series.split("\\.")[0];
        return """
                {
                    "odoo_dump": "1",
                    "db_name": "%s",
                    "version": "%s",
                    "version_info": [%s, 0, 0, "final", 0, ""],
                    "major_version": "%s",
                    "pg_version": "15.0",
                    "modules": {"base": "%s.1.3", "web": "%s.1.0"}
                }""".formatted(dbName, series, major, series, series, series);
    }

    public OdooZipWriter member(String name, byte[] content) {
        members.put(name, content);
        return this;
    }

    public OdooZipWriter member(String name, String content) {
        return member(name, content.getBytes(StandardCharsets.UTF_8));
    }

    /** A filestore file under its SHA-1, as Odoo files it. */
    public OdooZipWriter filestoreFile(byte[] content) {
        String sha = sha1(content);
        return member("filestore/" + sha.substring(0, 2) + "/" + sha, content);
    }

    /** Every file of an Odoo filestore directory, under its relative path. */
    public OdooZipWriter filestore(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                member("filestore/" + dir.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        }
        return this;
    }

    /** A member recorded as a Unix symbolic link (mode 0120777) pointing at {@code target}. */
    public OdooZipWriter symlink(String name, String target) {
        members.put(name, target.getBytes(StandardCharsets.UTF_8));
        symlinks.add(name);
        return this;
    }

    public Path write(Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream z = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : members.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        if (!symlinks.isEmpty()) patchSymlinks(file);
        return file;
    }

    /** A deflated member of {@code bytes} zeros, streamed (never held). */
    public static Path bomb(Path file, String name, long bytes, Map<String, byte[]> others) throws IOException {
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream z = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : others.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
            z.putNextEntry(new ZipEntry(name));
            byte[] zeros = new byte[1 << 16];
            for (long n = 0; n < bytes; n += zeros.length) z.write(zeros, 0, (int) Math.min(zeros.length, bytes - n));
            z.closeEntry();
        }
        return file;
    }

    private void patchSymlinks(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + 46 < b.length; i++) {
            if (buf.getInt(i) != 0x02014b50) continue;
            int nameLen = buf.getShort(i + 28) & 0xffff;
            String name = new String(b, i + 46, nameLen, StandardCharsets.UTF_8);
            if (!symlinks.contains(name)) continue;
            buf.putShort(i + 4, (short) ((3 << 8) | 20)); // made by Unix
            buf.putInt(i + 38, 0120777 << 16);
        }
        Files.write(file, b);
    }
}
