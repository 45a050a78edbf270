package dev.odooops.store;

import dev.odooops.config.EncryptionSettings.Encryption;
import dev.odooops.domain.ArtifactManifest;
import dev.odooops.domain.Checksums;
import dev.odooops.domain.Json;
import dev.odooops.domain.RekeyPlanner;
import dev.odooops.exec.CrashPoints;
import dev.odooops.exec.WorkFiles;
import dev.odooops.model.Artifact;
import dev.odooops.model.NewPack;
import dev.odooops.model.StoredObject;
import dev.odooops.ops.OpsCatalog;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes stored objects again for the recipients configured now ({@code odoo-ops rekey}), one pack or one artifact at a
 * time, new objects first, then the switch, then the old ones go:
 * <ul>
 *   <li>{@link #pack}: the pack fetched (its SHA-256 the catalog's), decrypted with the project's identity when it is
 *   encrypted, encrypted to the current recipients as a new pack named after the run ({@link RekeyPlanner#packId}),
 *   reserved in the catalog under the new generation, uploaded and read back; then recorded as a repack of the old pack
 *   with all its objects ({@link dev.odooops.ops.PackCatalog#recordRepack}: one transaction, refused when the artifacts
 *   that need the old pack changed since the plan). Indexes and manifests that name the old pack keep resolving through
 *   {@code ops.pack_moves}, as after a repack; the old pack is marked deleted and the collection removes it. A kill
 *   before the record leaves the reservation (and maybe its object), which a collection removes after a day, and the old
 *   pack as it was; a kill after it leaves the old pack to the next collection.</li>
 *   <li>{@link #artifact}: the artifact's objects that a backup encrypts (every one but manifest.json and the
 *   {@code *.sha256} lists: dump, filestore index or archive, meta files, config snapshot) fetched (SHA-256 the catalog's), decrypted, encrypted again;
 *   its {@code *.sha256} files and manifest rewritten for the new digests (and the packs that hold its files now). The
 *   names are the contract, so the switch is in place: (1) every new object is staged beside the old one as
 *   {@code <name>.rekey} and read back, then the plan {@value #PLAN} (new digests, sizes and manifest) is stored last;
 *   (2) each object is replaced by its new version (a put replaces an object whole) and read back; (3) the catalog row
 *   takes the new digests and manifest in one statement; (4) manifest.json is replaced; (5) the staged objects go, the
 *   plan last. A kill before the plan is stored leaves the artifact as it was (the next rekey removes the staged
 *   objects); a kill after it leaves a plan that the next rekey of the project finishes first, from the staged objects,
 *   before anything else. Between the first replacement of (2) and (3) the store holds objects newer than the catalog's
 *   digests: a restore started in that window refuses the artifact (SHA-256 mismatch, nothing live changed) until the
 *   rerun has finished it.</li>
 * </ul>
 * Throws on failure, naming the object; the caller records it and goes on with the next.
 */
public final class Reencryption {
    /** The plan of an artifact's switch, stored in its folder while the switch is under way. */
    public static final String PLAN = "rekey.json";
    /** The suffix of a staged object. */
    public static final String STAGED = ".rekey";
    /** Whether a backup encrypts an artifact's object: every one but manifest.json and the {@code *.sha256} lists. */
    public static boolean encryptedName(String name) {
        return !name.equals(ArtifactManifest.FILE) && !name.endsWith(".sha256");
    }

    private final OpsCatalog catalog;
    private final StoreLocator stores;
    private final ArtifactCipher cipher;

    public Reencryption(OpsCatalog catalog, StoreLocator stores) {
        this.catalog = catalog;
        this.stores = stores;
        this.cipher = stores.cipher();
    }

    /** The plan left by a rekey killed in the middle of an artifact's switch, if any (read from the artifact's folder). */
    public boolean hasPlan(Artifact a) {
        StoreLocator.Location where = stores.locate(a.uri(), a.id());
        return where.store().size(where.artifactPath(), PLAN) >= 0;
    }

    /**
     * The pack {@code old} of {@code project} written again as {@code newId} for {@code to}; {@code planned}: the live
     * artifacts that refer to it now. Returns its line of the evidence.
     */
    public Map<String, Object> pack(String project, NewPack old, String newId, Encryption to, Set<String> planned, Path scratch) {
        ArtifactStore store = stores.current();
        String packs = ArtifactStore.packsPath(project);
        String name = newId + ".tar.zst";
        Path fetched = scratch.resolve(old.packId() + ".tar.zst");
        Path plain = scratch.resolve(old.packId() + ".plain");
        Path fresh = scratch.resolve(name);
        try {
            StoreLocator.PackLocation at = stores.pack(project, old.packId(), old.uri());
            String sha = at.store().fetch(at.packsPath(), at.name(), fetched);
            if (!sha.equals(old.sha256())) {
                throw new IllegalStateException("pack " + old.packId() + " is damaged in the store: sha256 " + sha + ", recorded "
                        + old.sha256());
            }
            if (ArtifactCipher.isEncrypted(fetched)) {
                cipher.decrypt(project, fetched, plain, "pack " + old.packId());
                Files.delete(fetched);
            } else {
                Files.move(fetched, plain);
            }
            cipher.encrypt(to.recipients(), plain, fresh);
            Files.delete(plain);
            String freshSha = Checksums.sha256(fresh);
            long size = Files.size(fresh);
            String uri = store.uri(packs) + name;
            if (!catalog.packs().reservePack(project, newId, uri, old.compressed(), to.generation())) {
                throw new IllegalStateException("pack id " + newId + " is taken");
            }
            store.putAndReadBack(packs, name, fresh, size, freshSha, true);
            CrashPoints.reached("rekey:pack-uploaded"); // the new pack stored and reserved, the old one still the one read
            List<StoredObject> objects = catalog.packs().objectsOfPack(project, old.packId()).stream()
                    .map(o -> new StoredObject(o.path(), o.sha1(), o.size(), newId)).toList();
            NewPack next = new NewPack(newId, uri, freshSha, size, old.files(), old.bytes(), old.compressed());
            if (!catalog.packs().recordRepack(project, old.packId(), next, objects, planned)) {
                store.delete(packs, name); // this run's own name: nobody else's pack
                catalog.packs().dropReservation(project, newId);
                throw new IllegalStateException("pack " + old.packId() + " changed meanwhile (collected, repacked, or its "
                        + "artifacts pruned): left as it is; run rekey again");
            }
            CrashPoints.reached("rekey:pack-recorded");
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("pack_id", old.packId());
            line.put("into", newId);
            line.put("uri", uri);
            line.put("sha256_read_back", freshSha);
            line.put("size_before", old.size());
            line.put("size_after", size);
            line.put("files", old.files());
            line.put("artifacts", planned);
            return line;
        } catch (IOException e) {
            throw new UncheckedIOException("rekey of pack " + old.packId() + " failed", e);
        } finally {
            for (Path p : List.of(fetched, plain, fresh)) deleteQuietly(p);
        }
    }

    /**
     * The artifact's encrypted objects written again for {@code to} and switched (see the class comment); a plan left by
     * a killed rekey is finished first. Returns its line of the evidence, or null when the artifact changed meanwhile
     * (pruned, being removed) and was left as it is.
     */
    public Map<String, Object> artifact(String project, Artifact a, Encryption to, Path work) {
        StoreLocator.Location where = stores.locate(a.uri(), a.id());
        ArtifactStore store = where.store();
        String path = where.artifactPath();
        Path scratch = null;
        try {
            scratch = Files.createTempDirectory(work, "rekey-artifact-"); // this artifact's files only
            List<String> names = store.list(path);
            if (names.contains(PLAN)) {
                Map<String, Object> resumed = finish(a, where, scratch);
                Artifact now = catalog.artifacts().artifact(a.id()).filter(x -> x.prunedAt() == null).orElse(null);
                if (now == null) return null;
                if (!RekeyPlanner.stale(generationOf(now.manifest()), to.generation())) return resumed;
                a = now;
                names = store.list(path);
            }
            // a rekey killed before its plan: its staged objects, and an upload of one it left unfinished (only a rekey
            // writes into an artifact's folder once it is registered, and one run at a time per environment)
            store.abortIncompleteUploads(path);
            for (String n : names) if (n.endsWith(STAGED)) store.delete(path, n);

            Map<String, String> newSha = new LinkedHashMap<>();
            Map<String, Long> newSize = new LinkedHashMap<>();
            Map<String, Path> newFiles = new LinkedHashMap<>();
            for (String name : a.checksums().keySet()) {
                if (!encryptedName(name)) continue;
                Path got = fetchChecked(store, path, name, a, scratch);
                Path plain = scratch.resolve(name + ".plain");
                if (ArtifactCipher.isEncrypted(got)) { // by the bytes, as every reader decides
                    cipher.decrypt(project, got, plain, name + " of artifact " + a.id());
                    Files.delete(got);
                } else {
                    Files.move(got, plain);
                }
                Path fresh = scratch.resolve(name);
                cipher.encrypt(to.recipients(), plain, fresh);
                Files.delete(plain);
                newFiles.put(name, fresh);
                newSha.put(name, Checksums.sha256(fresh));
                newSize.put(name, Files.size(fresh));
            }
            // the sha256sum files: the new digests, and the packs that hold the files now
            Map<String, ArtifactManifest.PackRef> packs = Map.of();
            var fs = a.manifest().filestore();
            if (fs != null && fs.packs() != null) {
                packs = catalog.packs().currentPacks(project, fs.packs().stream().map(ArtifactManifest.PackRef::id).toList());
            }
            for (String name : a.checksums().keySet()) {
                if (!name.endsWith(".sha256")) continue;
                Path got = fetchChecked(store, path, name, a, scratch);
                String text = RekeyPlanner.rewriteSums(Files.readString(got), newSha, packs, name + " of artifact " + a.id());
                Files.delete(got);
                Path fresh = Files.writeString(scratch.resolve(name), text);
                newFiles.put(name, fresh);
                newSha.put(name, Checksums.sha256(fresh));
                newSize.put(name, Files.size(fresh));
            }
            ArtifactManifest manifest = rewritten(a.manifest(), newSha, newSize, to);
            Map<String, Object> checksums = new LinkedHashMap<>(a.checksums());
            Map<String, Object> sizes = new LinkedHashMap<>(a.sizes());
            newSha.forEach(checksums::put);
            newSize.forEach(sizes::put);
            Path manifestFile = scratch.resolve(ArtifactManifest.FILE);
            Files.writeString(manifestFile, manifest.toJson());
            checksums.put(ArtifactManifest.FILE, Checksums.sha256(manifestFile));
            sizes.put(ArtifactManifest.FILE, Files.size(manifestFile));

            // (1) staged beside the old objects, then the plan
            for (Map.Entry<String, Path> f : newFiles.entrySet()) {
                store.putAndReadBack(path, f.getKey() + STAGED, f.getValue(), newSize.get(f.getKey()), newSha.get(f.getKey()), true);
            }
            Map<String, Object> plan = new LinkedHashMap<>();
            plan.put("artifact_id", a.id());
            plan.put("generation", to.generation());
            plan.put("objects", newFiles.keySet());
            plan.put("checksums", checksums);
            plan.put("sizes", sizes);
            plan.put("manifest", manifest);
            Path planFile = scratch.resolve(PLAN);
            Files.writeString(planFile, Json.pretty(plan));
            store.putAndReadBack(path, PLAN, planFile, Files.size(planFile), Checksums.sha256(planFile), true);
            CrashPoints.reached("rekey:artifact-staged"); // the plan stored; nothing switched yet
            Map<String, Object> line = switchOver(a, where, newFiles.keySet(), checksums, sizes, manifest, manifestFile, scratch);
            if (line != null) line.put("objects", newFiles.keySet());
            return line;
        } catch (IOException e) {
            throw new UncheckedIOException("rekey of artifact " + a.id() + " failed", e);
        } finally {
            WorkFiles.deleteTree(scratch);
        }
    }

    /** The stored plan carried out (a rekey killed after storing it). */
    @SuppressWarnings("unchecked")
    private Map<String, Object> finish(Artifact a, StoreLocator.Location where, Path scratch) throws IOException {
        Map<String, Object> plan;
        try (InputStream in = where.store().open(where.artifactPath(), PLAN)) {
            plan = Json.MAPPER.readValue(in, Map.class);
        }
        ArtifactManifest manifest = ArtifactManifest.parse(Json.compact(plan.get("manifest")));
        Path manifestFile = scratch.resolve(ArtifactManifest.FILE);
        Files.writeString(manifestFile, manifest.toJson());
        Map<String, Object> line = switchOver(a, where, new java.util.LinkedHashSet<>((List<String>) plan.get("objects")),
                (Map<String, Object>) plan.get("checksums"), (Map<String, Object>) plan.get("sizes"), manifest, manifestFile, scratch);
        if (line != null) line.put("finished_plan_of_a_killed_rekey", true);
        return line;
    }

    /**
     * Steps (2) to (5): each object replaced by its staged version (local when {@code scratch} holds it, else fetched from
     * the staged object, its SHA-256 the plan's), the catalog, manifest.json, then the staged objects and the plan go.
     */
    private Map<String, Object> switchOver(Artifact a, StoreLocator.Location where, Set<String> objects,
                                           Map<String, Object> checksums, Map<String, Object> sizes, ArtifactManifest manifest,
                                           Path manifestFile, Path scratch) throws IOException {
        ArtifactStore store = where.store();
        String path = where.artifactPath();
        for (String name : objects) {
            String sha = String.valueOf(checksums.get(name));
            long size = ((Number) sizes.get(name)).longValue();
            Path local = scratch.resolve(name);
            if (!Files.isRegularFile(local) || !Checksums.sha256(local).equals(sha)) {
                String got = store.fetch(path, name + STAGED, local);
                if (!got.equals(sha)) {
                    throw new IllegalStateException("the staged " + name + STAGED + " of artifact " + a.id() + " is not the one "
                            + PLAN + " names (sha256 " + got + ", planned " + sha + "): the artifact is left to the next rekey");
                }
            }
            store.putAndReadBack(path, name, local, size, sha, true);
            CrashPoints.reached("rekey:artifact-object-replaced");
        }
        if (!catalog.artifacts().rekeyed(a.id(), a.uri(), checksums, sizes, manifest)) {
            // pruned or being removed meanwhile: its folder goes with it
            for (String name : objects) store.delete(path, name + STAGED);
            store.delete(path, PLAN);
            return null;
        }
        store.putAndReadBack(path, ArtifactManifest.FILE, manifestFile, Files.size(manifestFile), Checksums.sha256(manifestFile), true);
        CrashPoints.reached("rekey:artifact-switched");
        for (String name : objects) store.delete(path, name + STAGED);
        store.delete(path, PLAN);
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("artifact_id", a.id());
        line.put("uri", a.uri());
        line.put("generation", manifest.encryption() == null ? null : manifest.encryption().generation());
        return line;
    }

    /** The manifest with the new digests and sizes of what was written again, and the new recipients. */
    private ArtifactManifest rewritten(ArtifactManifest m, Map<String, String> sha, Map<String, Long> size, Encryption to) {
        ArtifactManifest.Part dump = m.dbDump();
        if (dump != null && sha.containsKey(dump.path())) {
            dump = new ArtifactManifest.Part(dump.path(), sha.get(dump.path()), size.get(dump.path()));
        }
        ArtifactManifest.FilestorePart fs = m.filestore();
        if (fs != null && sha.containsKey(fs.path())) {
            fs = new ArtifactManifest.FilestorePart(fs.path(), sha.get(fs.path()), size.get(fs.path()), fs.treeDigest(),
                    fs.fileCount(), fs.treeDigestVersion(), fs.packs());
        }
        Map<String, ArtifactManifest.FileSum> files = new LinkedHashMap<>(m.files());
        sha.forEach((name, s) -> {
            if (files.containsKey(name)) files.put(name, new ArtifactManifest.FileSum(s, size.get(name)));
        });
        return new ArtifactManifest(m.artifactId(), m.createdAt(), m.backupType(), m.kind(), m.label(), m.sourceEnv(), dump, fs,
                m.odoo(), files, m.formatVersion(), new ArtifactManifest.Encryption(ArtifactManifest.Encryption.AGE,
                to.generation(), to.recipients()));
    }

    /** The generation an artifact's manifest names (null: plain text). */
    public static String generationOf(ArtifactManifest m) {
        return m == null || m.encryption() == null ? null : m.encryption().generation();
    }

    private static Path fetchChecked(ArtifactStore store, String path, String name, Artifact a, Path scratch) {
        Path to = scratch.resolve(name + ".old");
        String sha = store.fetch(path, name, to);
        Object recorded = a.checksums().get(name);
        if (recorded != null && !sha.equals(recorded.toString())) {
            deleteQuietly(to);
            throw new IllegalStateException(name + " of artifact " + a.id() + " is damaged in the store: sha256 " + sha
                    + ", recorded " + recorded);
        }
        return to;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // in the run's work directory, removed with it
        }
    }
}
