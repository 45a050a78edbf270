package dev.odooops.flows;

import dev.odooops.OpsRuntime;
import dev.odooops.domain.Checksums;
import dev.odooops.domain.FilestoreIndex;
import dev.odooops.domain.Json;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.RestoreResult;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #13 A2: a packed restore reuses only the live filestore's own regular files. A folder of the live filestore
 * that is a symbolic link to a folder elsewhere (the application's user can make one) is never followed: the files
 * behind it are fetched from the packs, never hard-linked or copied into the restored tree, and the link is reported;
 * a crafted index naming a file behind such a link, or a path outside the filestore, restores nothing.
 */
class LiveFilestoreLinkTest {
    private TestEnvironment env;
    private OpsRuntime runtime;

    @AfterEach
    void cleanUp() throws Exception {
        if (runtime != null) runtime.close();
        if (env != null) env.close();
    }

    private void start(String app) throws Exception {
        env = (app.equals("dolibarr") ? TestEnvironment.createDolibarr("linkd") : TestEnvironment.create("linko"))
                .withLocalStore().withType("staging").withProperty("backup.filestore-format", "packed");
        runtime = env.runtime();
    }

    private BackupResult backup(BackupType type) {
        BackupResult r = runtime.operations().backup(BackupRequest.of(env.project, "prod", type, null, null, null, null,
                "operator", "test"));
        assertEquals("success", r.status(), r.error());
        return r;
    }

    private RestoreResult restoreFiles(String artifactId) {
        return runtime.operations().restore(new RestoreRequest(env.project, "prod", artifactId, BackupType.FILESTORE_ONLY,
                false, true, null, "operator", "test"));
    }

    private Path live() {
        return env.odoo.filestore();
    }

    /** The first folder (in name order) right below the filestore root with regular files in it. */
    private String folderWithFiles() throws Exception {
        try (Stream<Path> s = Files.list(live())) {
            for (Path d : s.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList()) {
                if (!regularFiles(d).isEmpty()) return d.getFileName().toString();
            }
        }
        throw new AssertionError("no folder of files in " + live());
    }

    private static List<Path> regularFiles(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
    }

    /**
     * Moves {@code folder} of the live filestore out to {@code <root>/elsewhere/<folder>}, adds a root-only secret
     * there, and leaves a symbolic link to it in its place. Returns the folder outside.
     */
    private Path linkFolderOutside(String folder) throws Exception {
        Path outside = Files.createDirectories(env.root.resolve("elsewhere")).resolve(folder);
        Files.move(live().resolve(folder), outside);
        Path secret = outside.resolve("secret");
        Files.writeString(secret, "root-only secret\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Files.createSymbolicLink(live().resolve(folder), outside);
        return outside;
    }

    /** Every entry below {@code root} (links not followed): path -> "d", "f" or "other". */
    private static Map<String, String> kinds(Path root) throws Exception {
        Map<String, String> out = new TreeMap<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) {
                if (!dir.equals(root)) out.put(root.relativize(dir).toString(), "d");
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes a) {
                out.put(root.relativize(file).toString(), a.isRegularFile() ? "f" : "other");
                return FileVisitResult.CONTINUE;
            }
        });
        return out;
    }

    private static Set<Object> inodes(Path root) throws Exception {
        Set<Object> out = new HashSet<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                out.add(Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey());
            }
        }
        return out;
    }

    private static int links(Path file) throws Exception {
        return ((Number) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS)).intValue();
    }

    private Path stored(String artifactId) {
        return env.localStoreDir().resolve(env.project).resolve("prod").resolve(artifactId);
    }

    @Test
    void should_fetch_the_files_behind_a_symlinked_folder_instead_of_linking_them_and_report_the_link() throws Exception {
        start("odoo");
        BackupResult b = backup(BackupType.FULL);
        Map<String, String> backedUp = kinds(live());
        String folder = folderWithFiles();
        Path outside = linkFolderOutside(folder);
        List<Path> outsideFiles = regularFiles(outside);
        Set<Object> outsideInodes = inodes(outside);

        RestoreResult r = restoreFiles(b.artifactId());

        assertEquals("success", r.status(), r.error() + " in " + r.failedStep());
        Map<String, String> restored = kinds(live());
        assertEquals(backedUp, restored, "the restored tree is the backed-up one: directories and regular files only");
        assertFalse(restored.containsValue("other"));
        assertTrue(Files.isDirectory(live().resolve(folder), LinkOption.NOFOLLOW_LINKS), "the folder is a real one again");
        Set<Object> shared = new HashSet<>(inodes(live()));
        shared.retainAll(outsideInodes);
        assertEquals(Set.of(), shared, "no restored file is a file of the folder outside the filestore");
        for (Path f : outsideFiles) assertEquals(1, links(f), f + " was linked into the filestore");
        assertFalse(Files.exists(live().resolve(folder).resolve("secret")));

        Map<String, Object> reuse = Json.readMap(Path.of(r.evidenceDir()).resolve("filestore_reuse.json"));
        assertEquals(List.of(folder), reuse.get("symlinks"), reuse.toString());
        Map<String, Object> duration = Json.readMap(Path.of(r.evidenceDir()).resolve("filestore_restore_duration.json"));
        assertTrue(((Number) duration.get("fetched_files")).intValue() >= outsideFiles.size() - 1, duration.toString());
        @SuppressWarnings("unchecked")
        List<String> warnings = (List<String>) Json.readMap(Path.of(r.evidenceDir()).resolve("final_status.json")).get("warnings");
        assertTrue(warnings.stream().anyMatch(w -> w.contains("symbolic link") && w.contains(folder)), String.valueOf(warnings));
        assertEquals(warnings, r.warnings());
    }

    @Test
    void should_warn_of_a_symlinked_folder_when_backing_up_and_store_nothing_behind_it() throws Exception {
        start("odoo");
        String folder = folderWithFiles();
        linkFolderOutside(folder);

        BackupResult b = backup(BackupType.FILESTORE_ONLY);

        assertTrue(b.warnings().stream().anyMatch(w -> w.contains("1 symbolic link(s), never followed")
                && w.contains("symlink " + folder)), b.warnings().toString());
        String index = Files.readString(stored(b.artifactId()).resolve(FilestoreIndex.FILE));
        assertFalse(index.contains(folder + "/"), "nothing behind the link is stored");
    }

    /** Rewrites the stored index (and the meta's digest and count to match), with matching checksums in the catalog. */
    private void craftIndex(String artifactId, List<FilestoreIndex.Entry> extra) throws Exception {
        Path dir = stored(artifactId);
        FilestoreIndex index = FilestoreIndex.parse(Files.readString(dir.resolve(FilestoreIndex.FILE)));
        List<FilestoreIndex.Entry> entries = new ArrayList<>(index.entries());
        entries.addAll(extra);
        FilestoreIndex crafted = FilestoreIndex.of(entries);
        Map<String, Object> meta = new java.util.LinkedHashMap<>(Json.readMap(dir.resolve("filestore.meta.json")));
        meta.put("tree_digest", crafted.treeDigest());
        meta.put("file_count", crafted.entries().size());
        meta.put("total_bytes", crafted.totalBytes());
        rewrite(artifactId, FilestoreIndex.FILE, crafted.toTsv());
        rewrite(artifactId, "filestore.meta.json", Json.pretty(meta));
    }

    /** An index line as a hostile artifact would carry it: no parsing on the way in. */
    private void craftIndexLine(String artifactId, String line) throws Exception {
        String tsv = Files.readString(stored(artifactId).resolve(FilestoreIndex.FILE));
        rewrite(artifactId, FilestoreIndex.FILE, line + "\n" + tsv);
    }

    private void rewrite(String artifactId, String name, String content) throws Exception {
        Path file = stored(artifactId).resolve(name);
        Files.delete(file); // the local store's files are read-only
        Files.writeString(file, content);
        TestEnvironment.ops("update ops.artifacts set checksums = jsonb_set(checksums, array[?], to_jsonb(?::text)), "
                + "sizes = jsonb_set(sizes, array[?], to_jsonb(?::bigint)) where id = ? returning id",
                name, Checksums.sha256(file), name, Files.size(file), artifactId);
    }

    @ParameterizedTest
    @ValueSource(strings = {"odoo", "dolibarr"})
    void should_never_take_a_file_a_crafted_index_names_behind_a_symlinked_folder(String app) throws Exception {
        start(app);
        BackupResult b = backup(BackupType.FULL);
        String folder = folderWithFiles();
        Path outside = linkFolderOutside(folder);
        Path secret = outside.resolve("secret");
        String pack = FilestoreIndex.parse(Files.readString(stored(b.artifactId()).resolve(FilestoreIndex.FILE))).packs()
                .iterator().next();
        craftIndex(b.artifactId(), List.of(new FilestoreIndex.Entry(folder + "/secret", Checksums.sha1(secret),
                Files.size(secret), pack)));
        Map<String, String> before = kinds(live());
        List<String> beside = besideTheFilestore();

        RestoreResult r = restoreFiles(b.artifactId());

        assertNotEquals("success", r.status(), "the restored tree would hold the secret");
        // the new filestore is built and checked before quiesce: its failure is await-new-filestore's
        assertEquals("await-new-filestore", r.failedStep(), r.error());
        assertTrue(r.error().contains(folder + "/secret"), r.error());
        assertEquals(1, links(secret), "the secret was never linked");
        assertEquals(before, kinds(live()), "the live filestore is as it was");
        assertTrue(Files.isSymbolicLink(live().resolve(folder)));
        assertEquals(beside, besideTheFilestore(), "no side copy left");
    }

    private List<String> besideTheFilestore() throws Exception {
        try (Stream<Path> s = Files.list(live().getParent())) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"../escape", "/etc/passwd", "ab/../../escape", "./ab"})
    void should_refuse_an_index_naming_a_path_outside_the_filestore(String path) throws Exception {
        start("odoo");
        BackupResult b = backup(BackupType.FULL);
        String pack = FilestoreIndex.parse(Files.readString(stored(b.artifactId()).resolve(FilestoreIndex.FILE))).packs()
                .iterator().next();
        craftIndexLine(b.artifactId(), path + "\t" + "a".repeat(40) + "\t7\t" + pack);
        Map<String, String> before = kinds(live());
        String passwd = Checksums.sha256(Path.of("/etc/passwd"));
        List<String> beside = besideTheFilestore();

        RestoreResult r = restoreFiles(b.artifactId());

        assertEquals("failed", r.status(), r.error());
        assertTrue(r.error().contains(FilestoreIndex.FILE) && r.error().contains(path), r.error());
        assertEquals(before, kinds(live()));
        assertFalse(Files.exists(live().getParent().resolve("escape"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(live().getParent().getParent().resolve("escape"), LinkOption.NOFOLLOW_LINKS));
        assertEquals(passwd, Checksums.sha256(Path.of("/etc/passwd")));
        assertEquals(beside, besideTheFilestore());
    }
}
