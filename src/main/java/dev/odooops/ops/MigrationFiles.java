package dev.odooops.ops;

import org.flywaydb.core.api.MigrationVersion;

import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The versions of the migrations this odoo-ops carries ({@code db/migration/V<version>__<description>.sql}), read
 * from the jar's (or the class folder's) own listing: what Flyway's class-path scan finds, without the scan, for
 * {@link OpsDatabase#currentAtOnce}. Empty when the folder cannot be listed (Flyway then decides).
 */
final class MigrationFiles {
    static final String FOLDER = "db/migration";
    private static final Pattern VERSIONED = Pattern.compile("V([0-9][0-9._]*)__[^/]*\\.sql");

    private MigrationFiles() {
    }

    static Optional<SortedSet<MigrationVersion>> carried() {
        URL url = MigrationFiles.class.getClassLoader().getResource(FOLDER);
        if (url == null) return Optional.empty();
        SortedSet<MigrationVersion> versions = new TreeSet<>();
        try {
            if ("file".equals(url.getProtocol())) {
                try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
                    files.forEach(f -> add(f.getFileName().toString(), versions));
                }
            } else if ("jar".equals(url.getProtocol()) && url.openConnection() instanceof JarURLConnection jar) {
                String prefix = FOLDER + "/";
                jar.getJarFile().stream().map(java.util.zip.ZipEntry::getName)
                        .filter(n -> n.startsWith(prefix) && n.indexOf('/', prefix.length()) < 0)
                        .forEach(n -> add(n.substring(prefix.length()), versions));
            } else {
                return Optional.empty();
            }
        } catch (IOException | URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
        return versions.isEmpty() ? Optional.empty() : Optional.of(versions);
    }

    /** A versioned migration's version as Flyway reads it from the name ({@code V1_2__x.sql}: 1.2). */
    static void add(String name, SortedSet<MigrationVersion> versions) {
        Matcher m = VERSIONED.matcher(name);
        if (m.matches()) versions.add(MigrationVersion.fromVersion(m.group(1).replace('_', '.')));
    }
}
