package dev.odooops.exec;

import dev.odooops.config.DatabaseConfig;
import dev.odooops.domain.PrivateFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;

/**
 * A private (0600) password file for libpq tools, so a password never appears in argv, logs or evidence.
 * The environment handed to the tool points PGPASSFILE at it; it is deleted when closed.
 */
public final class PgPassFile implements AutoCloseable {
    private final Path file;

    private PgPassFile(Path file) {
        this.file = file;
    }

    public static PgPassFile create(Path dir, DatabaseConfig db) {
        try {
            PrivateFiles.OWNER_ONLY.createDirectories(dir);
            Path f = Files.createTempFile(dir, ".pgpass-", "", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            if (db.password() != null) {
                Files.writeString(f, String.join(":", escape(db.host()), String.valueOf(db.port()), "*", escape(db.user()),
                        escape(db.password().reveal())) + "\n");
            }
            return new PgPassFile(f);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the password file in " + dir, e);
        }
    }

    /** Environment for a libpq tool: the password file and sslmode; nothing secret itself. */
    public Map<String, String> environment(DatabaseConfig db) {
        Map<String, String> env = new HashMap<>();
        env.put("PGPASSFILE", file.toString());
        env.put("PGSSLMODE", db.sslmode());
        env.put("PGAPPNAME", "odoo-ops");
        return env;
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace(":", "\\:");
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // temp dir cleanup removes it too
        }
    }
}
