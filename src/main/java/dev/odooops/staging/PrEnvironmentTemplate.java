package dev.odooops.staging;

import dev.odooops.config.DatabaseConfig;
import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.PrEnvironmentsSettings;
import dev.odooops.exec.WorkFiles;
import dev.odooops.model.Artifact;
import dev.odooops.postgres.EnvironmentDatabase;
import dev.odooops.postgres.PgAdmin;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fast path of pr-env create: each project keeps its newest sanitised snapshot loaded as a template, the database
 * {@code <project>_pr_template} and its filestore unpacked in {@code <filestore parent>/<project>_pr_template} (beside
 * the PR environments' filestores, on their file system). A PR environment's database is then
 * {@code CREATE DATABASE <pr> TEMPLATE <template> STRATEGY FILE_COPY} (a file copy, no WAL of the whole database;
 * PostgreSQL 15+, WAL_LOG's default otherwise) and its filestore hard links to the template's files: Odoo never
 * rewrites an attachment file in place (new content gets a new name, see ODOO-NOTES), so a link is safe. An
 * application that rewrites files under their name (Dolibarr) gets copies.
 * <p>
 * The template holds artifact X when the database's comment and the marker file {@code <template dir>.artifact} both
 * name X; a newer snapshot (or a half-made template: a kill while it was re-made) makes it be re-made: loaded under
 * {@code <template>_next} names by {@link ArtifactLoader}, then renamed into place, the marker written last. One
 * create per project at a time works on the template (a session advisory lock in the ops database).
 */
public final class PrEnvironmentTemplate {
    private static final String COMMENT = "odoo-ops pr-env template of artifact ";
    private final ArtifactLoader loader;
    private final DataSource ops;

    public PrEnvironmentTemplate(ArtifactLoader loader, DataSource ops) {
        this.loader = loader;
        this.ops = ops;
    }

    /** The loader that fills the template (also a PR environment's database made from a staging backup). */
    public ArtifactLoader loader() {
        return loader;
    }

    /** The template database's name of {@code project}. */
    public static String database(String project) {
        return project.replace('-', '_') + "_pr_template";
    }

    /** The template's filestore directory for PR environment {@code env} (a sibling of its filestore). */
    public static Path directory(EnvironmentConfig env) {
        return env.filestore().toAbsolutePath().getParent().resolve(database(env.project()));
    }

    /**
     * Makes sure the template holds {@code snapshot} (re-made when it does not), then copies its database as the PR
     * environment's. Returns what it did (template_reused, template load figures, copy_ms, strategy).
     */
    public Map<String, Object> copyDatabase(PrEnvJob job, PrEnvironmentsSettings.Template t, EnvironmentConfig env,
                                            Artifact snapshot) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        DatabaseConfig db = env.database();
        String template = database(env.project());
        Path dir = directory(env);
        try (Connection lock = ops.getConnection()) {
            advisory(lock, "pg_advisory_lock", env.project());
            try {
                boolean fresh = holds(db, template, dir, snapshot.id());
                out.put("template_database", template);
                out.put("template_directory", dir.toString());
                out.put("template_reused", fresh);
                if (!fresh) out.put("template_loaded", remake(job, db, template, dir, snapshot));
                long t0 = System.nanoTime();
                try (Connection c = EnvironmentDatabase.connect(db, "postgres")) {
                    boolean fileCopy = c.getMetaData().getDatabaseMajorVersion() >= 15;
                    String sql = "create database " + ident(c, db.name()) + " template " + ident(c, template)
                            + (fileCopy ? " strategy file_copy" : "");
                    try (var st = c.createStatement()) {
                        st.execute(sql);
                    }
                    out.put("strategy", fileCopy ? "FILE_COPY" : "default");
                }
                out.put("copy_ms", (System.nanoTime() - t0) / 1_000_000);
            } finally {
                advisory(lock, "pg_advisory_unlock", env.project());
            }
        }
        return out;
    }

    /**
     * The PR environment's filestore: the template's tree with every file hard-linked (copied for an application that
     * rewrites files in place). Returns {files, linked|copied}.
     */
    public Map<String, Object> linkFilestore(EnvironmentConfig env, PrEnvironmentsSettings.Template t) throws IOException {
        Path from = directory(env);
        Path to = env.filestore().toAbsolutePath();
        boolean link = env.app().namesByContent();
        long[] files = {0};
        Files.createDirectories(to);
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(d).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                if (!attrs.isRegularFile()) return FileVisitResult.CONTINUE; // the loader let nothing else in
                Path target = to.resolve(from.relativize(f).toString());
                if (link) Files.createLink(target, f);
                else Files.copy(f, target, StandardCopyOption.COPY_ATTRIBUTES);
                files[0]++;
                return FileVisitResult.CONTINUE;
            }
        });
        return Map.of("files", files[0], link ? "linked" : "copied", true);
    }

    /** Whether the template database and directory both hold {@code artifactId}. */
    private static boolean holds(DatabaseConfig db, String template, Path dir, String artifactId) throws Exception {
        Path marker = marker(dir);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || !Files.isRegularFile(marker)) return false;
        if (!Files.readString(marker).trim().equals(artifactId)) return false;
        try (Connection c = EnvironmentDatabase.connect(db, "postgres");
             PreparedStatement ps = c.prepareStatement("select shobj_description(oid, 'pg_database') from pg_database where datname = ?")) {
            ps.setString(1, template);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && (COMMENT + artifactId).equals(rs.getString(1));
            }
        }
    }

    /** Loads the snapshot under the _next names, then puts both into place; the marker is written last. */
    private Map<String, Object> remake(PrEnvJob job, DatabaseConfig db, String template, Path dir, Artifact snapshot)
            throws Exception {
        String next = template + "_next";
        Path nextDir = dir.resolveSibling(dir.getFileName() + "_next");
        Files.deleteIfExists(marker(dir));
        try (PgAdmin admin = new PgAdmin(db)) {
            admin.dropIfExists(next); // a leftover of a create killed while it re-made the template
        }
        WorkFiles.deleteTree(nextDir);
        Path work = job.workDir().resolve("template");
        WorkFiles.createPrivate(work);
        ArtifactLoader.Loaded loaded;
        try {
            loaded = loader.load(job.environment().project(), snapshot, db, next, nextDir, work);
        } catch (Exception e) {
            try (PgAdmin admin = new PgAdmin(db)) {
                admin.dropIfExists(next);
            }
            WorkFiles.deleteTree(nextDir);
            throw e;
        } finally {
            WorkFiles.deleteTree(work);
        }
        try (PgAdmin admin = new PgAdmin(db)) {
            admin.dropIfExists(template);
            admin.renameWithoutSessions(next, template);
        }
        try (Connection c = EnvironmentDatabase.connect(db, "postgres"); var st = c.createStatement()) {
            st.execute("comment on database " + ident(c, template) + " is " + literal(c, COMMENT + snapshot.id()));
        }
        WorkFiles.deleteTree(dir);
        Files.move(nextDir, dir, StandardCopyOption.ATOMIC_MOVE);
        Files.writeString(marker(dir), snapshot.id() + "\n");
        Map<String, Object> m = new LinkedHashMap<>(loaded.toMap());
        m.put("artifact_id", snapshot.id());
        return m;
    }

    private static Path marker(Path dir) {
        return dir.resolveSibling(dir.getFileName() + ".artifact");
    }

    private static void advisory(Connection c, String function, String project) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select " + function + "(hashtext('odoo-ops pr-env template'), hashtext(?))")) {
            ps.setString(1, project);
            ps.executeQuery().close();
        }
    }

    private static String ident(Connection c, String name) throws SQLException {
        return single(c, "select quote_ident(?)", name);
    }

    private static String literal(Connection c, String value) throws SQLException {
        return single(c, "select quote_literal(?)", value);
    }

    private static String single(Connection c, String sql, String arg) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
