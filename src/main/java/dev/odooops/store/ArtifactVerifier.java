package dev.odooops.store;

import dev.odooops.domain.ArtifactManifest;
import dev.odooops.domain.FilestoreIndex;
import dev.odooops.domain.Checksums;
import dev.odooops.domain.Json;
import dev.odooops.domain.PrivateFiles;
import dev.odooops.exec.ToolRunner;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.model.Artifact;
import dev.odooops.model.NewPack;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Re-reads an artifact from the store: every file's SHA-256 against the catalog, the stored manifest.json
 * against the catalog's contract, the sha256sum files against the data they describe, and
 * {@code pg_restore --list} on the downloaded dump. The report says what passed and what did not.
 */
public class ArtifactVerifier {
    private final StoreLocator stores;
    private final ToolRunner tools;
    private final Path workDir;

    private final OpsCatalog catalog;

    /** @param stores the artifact and each pack are read from the store they were written to (store.previous) */
    public ArtifactVerifier(StoreLocator stores, ToolRunner tools, Path workDir, OpsCatalog catalog) {
        this.stores = stores;
        this.tools = tools;
        this.workDir = workDir;
        this.catalog = catalog;
    }

    /**
     * Each pack of the manifest as it is to be found now: itself, or the pack a repack wrote its files into (with
     * that pack's digest and size, from the catalog).
     */
    private List<ArtifactManifest.PackRef> current(String project, List<ArtifactManifest.PackRef> refs) {
        Map<String, ArtifactManifest.PackRef> now = catalog.packs().currentPacks(project, refs.stream().map(ArtifactManifest.PackRef::id).toList());
        return refs.stream().map(r -> now.getOrDefault(r.id(), r)).toList();
    }

    /** Where a pack of the project is: the store its catalog row names. */
    private StoreLocator.PackLocation packAt(String project, String packId) {
        NewPack p = catalog.packs().packs(project, List.of(packId)).get(packId);
        return stores.pack(project, packId, p == null ? null : p.uri());
    }

    public Map<String, Object> verify(Artifact artifact, String project, String environment) throws IOException {
        return verify(artifact, project, environment, false);
    }

    /**
     * An artifact verified when it was made (its backup run read every object back), still there: every file and
     * every pack it needs is in the store with its recorded size. What a reused safety backup is checked with (a
     * full re-read would cost what the backup it replaces costs).
     */
    public Map<String, Object> stillStored(Artifact artifact, String project, String environment) {
        StoreLocator.Location where = stores.locate(artifact.uri(), artifact.id());
        ArtifactStore store = where.store();
        String path = where.artifactPath();
        Map<String, Object> files = new java.util.TreeMap<>();
        List<String> bad = new java.util.ArrayList<>();
        artifact.sizes().forEach((name, size) -> {
            long stored = store.size(path, name);
            long want = ((Number) size).longValue();
            files.put(name, Map.of("size", want, "stored_size", stored));
            if (stored != want) bad.add(name + (stored < 0 ? " is missing" : " is " + stored + " bytes, recorded " + want));
        });
        var fs = artifact.manifest().filestore();
        if (fs != null && fs.packs() != null) {
            for (var p : current(project, fs.packs())) {
                StoreLocator.PackLocation at = packAt(project, p.id());
                long stored = at.store().size(at.packsPath(), at.name());
                files.put(ArtifactStore.PACKS + "/" + p.id() + ".tar.zst", Map.of("size", p.size(), "stored_size", stored));
                if (stored != p.size()) bad.add("pack " + p.id() + (stored < 0 ? " is missing" : " is " + stored + " bytes, recorded " + p.size()));
            }
        }
        Map<String, Object> report = new java.util.LinkedHashMap<>();
        report.put("ok", bad.isEmpty());
        report.put("method", "verified by its backup run (every object read back, sha256 compared); now every object and pack "
                + "present in the store with its recorded size");
        report.put("files", files);
        if (!bad.isEmpty()) report.put("problems", bad);
        return report;
    }

    /**
     * {@code verify-artifact --read-data}: {@link #verify} and, for a packed artifact, every file of a sample of its
     * packs (restic's {@code check --read-data} for Odoo): the pack is fetched with its SHA-256 checked, its members
     * the index lists are extracted to a scratch directory and each one's SHA-1 and size compared with the index.
     */
    public Map<String, Object> verifyData(Artifact artifact, String project, String environment, int samplePercent)
            throws IOException {
        Map<String, Object> report = verify(artifact, project, environment, true);
        var fs = artifact.manifest().filestore();
        if (fs == null || fs.packs() == null) {
            report.put("read_data", "not a packed artifact: the checksums above read every byte");
            return report;
        }
        StoreLocator.Location where = stores.locate(artifact.uri(), artifact.id());
        FilestoreIndex index;
        Path indexDir = Files.createTempDirectory(workDir, "read-index-");
        try {
            // an encrypted index is read with the project's identity (a missing or wrong one: EncryptionKeyException)
            Path indexFile = indexDir.resolve(FilestoreIndex.FILE);
            where.store().fetch(where.artifactPath(), FilestoreIndex.FILE, indexFile);
            stores.cipher().decryptInPlace(project, indexFile, FilestoreIndex.FILE + " of artifact " + artifact.id());
            index = FilestoreIndex.parse(Files.readString(indexFile, java.nio.charset.StandardCharsets.UTF_8));
        } finally {
            dev.odooops.exec.WorkFiles.deleteTree(indexDir);
        }
        List<String> packIds = new java.util.ArrayList<>(index.packs());
        java.util.Collections.shuffle(packIds);
        int take = Math.max(1, (int) Math.ceil(packIds.size() * samplePercent / 100.0));
        List<String> sample = packIds.subList(0, Math.min(take, packIds.size()));
        List<String> bad = new java.util.ArrayList<>();
        long checked = 0;
        for (String id : sample) {
            Path scratch = Files.createTempDirectory(workDir, "read-data-");
            try {
                Path pack = scratch.resolve(id + ".tar.zst");
                String holder = current(project, List.of(new ArtifactManifest.PackRef(id, "", 0))).get(0).id();
                StoreLocator.PackLocation at = packAt(project, holder);
                at.store().fetch(at.packsPath(), at.name(), pack);
                stores.cipher().decryptInPlace(project, pack, "pack " + holder + " of project " + project);
                Path out = Files.createDirectories(scratch.resolve("files"));
                List<FilestoreIndex.Entry> members = index.entries().stream().filter(e -> e.pack().equals(id)).toList();
                try {
                    PackMembers.extract(tools, pack, members, out, java.time.Duration.ofHours(1));
                } catch (RuntimeException e) {
                    bad.add(id + ": cannot be read: " + e.getMessage());
                    continue;
                }
                for (FilestoreIndex.Entry e : members) {
                    Path f = out.resolve(e.path());
                    if (!Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) bad.add(e.path() + ": not in pack " + id);
                    else if (Files.size(f) != e.size() || !Checksums.sha1(f).equals(e.sha1())) {
                        bad.add(e.path() + ": content differs from the index (pack " + id + ")");
                    }
                    checked++;
                }
            } finally {
                dev.odooops.exec.WorkFiles.deleteTree(scratch);
            }
        }
        Map<String, Object> read = new LinkedHashMap<>();
        read.put("packs", packIds.size());
        read.put("packs_read", sample.size());
        read.put("sample_percent", samplePercent);
        read.put("files_checked", checked);
        read.put("bad", bad.size());
        read.put("bad_files", bad.subList(0, Math.min(100, bad.size())));
        report.put("read_data", read);
        if (!bad.isEmpty()) report.put("ok", false);
        return report;
    }

    /**
     * @param readPacks false: a packed artifact's packs are checked for presence and size only (the restore's
     *                  safety backup: the packs it wrote were read back at upload, the others when they were written)
     */
    public Map<String, Object> verify(Artifact artifact, String project, String environment, boolean readPacks)
            throws IOException {
        StoreLocator.Location where = stores.locate(artifact.uri(), artifact.id());
        ArtifactStore store = where.store();
        String path = where.artifactPath();
        Map<String, Object> files = new LinkedHashMap<>();
        boolean ok = true;
        Path dumpCopy = null;
        PrivateFiles.OWNER_ONLY.createDirectories(workDir);
        Path scratch = Files.createTempDirectory(workDir, "verify-"); // this call's own: removed whole at the end
        try {
            for (Map.Entry<String, Object> e : artifact.checksums().entrySet()) {
                String name = e.getKey();
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("expected_sha256", e.getValue());
                long size = store.size(path, name);
                r.put("size", size);
                if (size < 0) {
                    r.put("ok", false);
                    r.put("error", "missing from the store");
                    ok = false;
                    files.put(name, r);
                    continue;
                }
                String actual;
                if (name.equals("db.dump")) {
                    dumpCopy = scratch.resolve("db.dump");
                    try (InputStream in = store.open(path, name)) {
                        Files.copy(in, dumpCopy, StandardCopyOption.REPLACE_EXISTING);
                    }
                    actual = Checksums.sha256(dumpCopy);
                } else {
                    try (InputStream in = store.open(path, name)) {
                        actual = Checksums.sha256(in);
                    }
                }
                boolean match = actual.equals(e.getValue());
                r.put("actual_sha256", actual);
                r.put("ok", match);
                ok &= match;
                files.put(name, r);
            }
            Map<String, Object> packs = new LinkedHashMap<>();
            ok &= packsIntact(artifact, project, packs, readPacks);
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("artifact_id", artifact.id());
            report.put("uri", artifact.uri());
            report.put("files", files);
            if (!packs.isEmpty()) report.put("packs", packs);
            List<String> missing = artifact.manifest().missingFields();
            report.put("manifest_complete", missing.isEmpty());
            if (!missing.isEmpty()) {
                report.put("manifest_missing_fields", missing);
                ok = false;
            }
            ok &= sumFilesAgree(store, path, artifact, report);
            if (dumpCopy != null && ArtifactCipher.isEncrypted(dumpCopy) && !stores.cipher().canRead(project)) {
                // a host with the recipients only (backups) checks the stored bytes above, not what they hold
                report.put("pg_restore_list", Map.of("ok", true, "not_read", "the dump is encrypted and no encryption.identity "
                        + "is configured for project " + project + " here: its stored SHA-256 is checked, its content is not listed"));
                dumpCopy = null;
            }
            if (dumpCopy != null) {
                try {
                    stores.cipher().decryptInPlace(project, dumpCopy, "db.dump of artifact " + artifact.id());
                    String toc = tools.run(List.of("pg_restore", "--list", dumpCopy.toString()), Map.of(), Duration.ofMinutes(10)).stdout();
                    long tableData = toc.lines().filter(l -> l.contains(" TABLE DATA ")).count();
                    report.put("pg_restore_list", Map.of("ok", true, "table_data_entries", tableData));
                } catch (RuntimeException ex) {
                    report.put("pg_restore_list", Map.of("ok", false, "error", ex.getMessage()));
                    ok = false;
                }
            }
            report.put("method", method(artifact, readPacks));
            report.put("ok", ok);
            return report;
        } finally {
            dev.odooops.exec.WorkFiles.deleteTree(scratch);
        }
    }

    /** What {@link #verify} compared, said in its report: without reading the packs, their content was not checked. */
    private static String method(Artifact artifact, boolean readPacks) {
        var fs = artifact.manifest().filestore();
        String files = "the artifact's files read from the store, their SHA-256 compared with the catalog";
        if (fs == null || fs.packs() == null) return files + " (every byte of the artifact)";
        return files + "; " + (readPacks ? "each pack read, its SHA-256 compared"
                : "its packs compared by size only, their content not read (--read-data reads them and checks every file)");
    }

    /** A packed artifact's packs (the project's {@code _packs}): each must be there with the size and SHA-256 recorded. */
    private boolean packsIntact(Artifact artifact, String project, Map<String, Object> report, boolean read)
            throws IOException {
        var fs = artifact.manifest().filestore();
        if (fs == null || fs.packs() == null) return true;
        boolean ok = true;
        for (var ref : current(project, fs.packs())) {
            Map<String, Object> r = new LinkedHashMap<>();
            StoreLocator.PackLocation at = packAt(project, ref.id());
            String name = at.name();
            String packs = at.packsPath();
            ArtifactStore store = at.store();
            long size = store.size(packs, name);
            r.put("size", size);
            r.put("expected_sha256", ref.sha256());
            boolean good = size == ref.size();
            if (size < 0) {
                r.put("error", "missing from the store");
            } else if (!read) {
                r.put("sha256", "not re-read (read back when it was written)");
            } else {
                try (InputStream in = store.open(packs, name)) {
                    String actual = Checksums.sha256(in);
                    r.put("actual_sha256", actual);
                    good &= actual.equals(ref.sha256());
                }
            }
            r.put("ok", good);
            ok &= good;
            report.put(ref.id(), r);
        }
        return ok;
    }

    /** db.dump.sha256 and filestore.tar.zst.sha256 as stored must name the same digests as the catalog. */
    private boolean sumFilesAgree(ArtifactStore store, String path, Artifact artifact, Map<String, Object> report) throws IOException {
        boolean ok = true;
        Map<String, Object> sums = new LinkedHashMap<>();
        for (String data : List.of("db.dump", "filestore.tar.zst")) {
            if (!artifact.checksums().containsKey(data)) continue;
            String sumName = data + ".sha256";
            try (InputStream in = store.open(path, sumName)) {
                String stated = Checksums.parseSha256sumLine(new String(in.readAllBytes()), sumName);
                boolean agree = stated.equals(artifact.checksums().get(data));
                sums.put(sumName, agree ? "agrees" : "differs from the catalog");
                ok &= agree;
            } catch (RuntimeException e) {
                sums.put(sumName, "unreadable: " + e.getMessage());
                ok = false;
            }
        }
        report.put("sha256_files", sums);
        try (InputStream in = store.open(path, ArtifactManifest.FILE)) {
            boolean same = ArtifactManifest.parse(new String(in.readAllBytes())).equals(artifact.manifest());
            report.put("stored_manifest_matches_catalog", same);
            ok &= same;
        } catch (RuntimeException e) {
            report.put("stored_manifest_matches_catalog", false);
            ok = false;
        }
        return ok;
    }
}
