package dev.odooops.backup;

import dev.odooops.config.EncryptionSettings.Encryption;
import dev.odooops.domain.ArtifactManifest;
import dev.odooops.domain.Checksums;
import dev.odooops.model.BackupJob;
import dev.odooops.model.BackupJob.BundleFile;
import dev.odooops.model.NewPack;
import dev.odooops.run.Vars;
import dev.odooops.store.ArtifactCipher;
import dev.odooops.store.ArtifactStore;
import org.apache.camel.Variable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Encryption at rest, on the host before anything leaves it (nothing to do for a project without
 * {@code encryption}): two nodes of the backup route.
 * <ul>
 *   <li>{@link #packs} ({@code encrypt-packs}, before upload-packs): each new pack, whole, to the project's recipients.
 *   {@link ArchiveFilestore} encrypts each pack as it writes it (so the cost overlaps pg_dump) and registers the
 *   encrypted pack's SHA-256 and size; this node makes sure no new pack is left plain (the index keeps the plain SHA-1
 *   of every file, so deduplication still goes by Odoo's SHA-1);</li>
 *   <li>{@link #bundle} ({@code encrypt-artifact}, before upload-artifact): every bundle file but the {@code *.sha256}
 *   lists (the dump, the filestore archive or index, the meta files, the config snapshot), each under its own name;
 *   the {@code *.sha256} lists are written again with the stored (encrypted) digests, so {@code sha256sum -c} and
 *   {@code check} work without a key. The manifest, written next by upload-artifact, stays plain text and says how
 *   ({@code encryption: {format, generation, recipients}}).</li>
 * </ul>
 * Evidence: {@code encryption.json} (generation, recipients, each file's plain and stored size).
 */
public class EncryptArtifact {
    private final ArtifactCipher cipher;

    public EncryptArtifact(ArtifactCipher cipher) {
        this.cipher = cipher;
    }

    /**
     * {@code encrypt-packs}: archive-filestore already encrypts each new pack as it writes it (beside pg_dump) and
     * registers the encrypted digest; this node checks every new pack in the work directory starts with age's header
     * before upload-packs stores it, and encrypts one that does not (a pack written by a filestore half without the
     * project's cipher), so no plain pack of an encrypted project leaves the host.
     */
    public void packs(@Variable(Vars.BACKUP_JOB) BackupJob job) throws IOException {
        Optional<Encryption> encryption = cipher.encryption(job.environment().project());
        BackupJob.PackedFilestore packed = job.packed();
        if (encryption.isEmpty() || packed == null || packed.newPacks().isEmpty()) return;
        long start = System.nanoTime();
        long storedBytes = 0;
        int whileArchived = 0;
        List<NewPack> encrypted = new ArrayList<>();
        Map<String, NewPack> byId = new LinkedHashMap<>();
        for (NewPack p : packed.newPacks()) {
            Path file = job.workDir().resolve(p.packId() + ".tar.zst");
            NewPack e = p;
            if (ArtifactCipher.isEncrypted(file)) {
                whileArchived++;
            } else {
                ArtifactCipher.Sealed sealed = cipher.seal(encryption.get(), file);
                e = new NewPack(p.packId(), p.uri(), sealed.sha256(), sealed.size(), p.files(), p.bytes(), p.compressed());
                byId.put(e.packId(), e);
            }
            encrypted.add(e);
            storedBytes += e.size();
        }
        if (!byId.isEmpty()) {
            List<ArtifactManifest.PackRef> refs = packed.packRefs().stream().map(r -> byId.containsKey(r.id())
                    ? new ArtifactManifest.PackRef(r.id(), byId.get(r.id()).sha256(), byId.get(r.id()).size()) : r).toList();
            job.packed(new BackupJob.PackedFilestore(packed.index(), List.copyOf(encrypted), packed.newObjects(), refs));
        }
        job.stepDetail(Map.of("packs", encrypted.size(), "encrypted_while_archived", whileArchived,
                "encrypted_here", byId.size(), "stored_bytes", storedBytes, "generation", encryption.get().generation(),
                "duration_ms", (System.nanoTime() - start) / 1_000_000));
    }

    public void bundle(@Variable(Vars.BACKUP_JOB) BackupJob job) throws IOException {
        Optional<Encryption> encryption = cipher.encryption(job.environment().project());
        if (encryption.isEmpty()) return;
        long start = System.nanoTime();
        Map<String, Object> files = new LinkedHashMap<>();
        Map<String, String> storedSha = new LinkedHashMap<>();
        for (BundleFile f : List.copyOf(job.bundle().values())) {
            if (f.name().equals(ArtifactManifest.FILE) || f.name().endsWith(".sha256")) continue;
            ArtifactCipher.Sealed sealed = cipher.seal(encryption.get(), f.path()); // hashed while age writes it
            BundleFile e = new BundleFile(f.name(), f.path(), sealed.size(), sealed.sha256());
            job.add(e);
            storedSha.put(f.name(), e.sha256());
            files.put(f.name(), Map.of("plain_size", f.size(), "stored_size", e.size()));
        }
        // the sha256sum lists: the stored digest of every file they name (the packs' from the packed filestore)
        Map<String, String> packSha = new LinkedHashMap<>();
        if (job.packed() != null) {
            job.packed().packRefs().forEach(r -> packSha.put("../../" + ArtifactStore.PACKS + "/" + r.id() + ".tar.zst", r.sha256()));
        }
        for (BundleFile f : List.copyOf(job.bundle().values())) {
            if (!f.name().endsWith(".sha256")) continue;
            StringBuilder out = new StringBuilder();
            for (String line : Files.readAllLines(f.path())) {
                if (line.isBlank()) continue;
                String name = line.substring(66);
                String sha = storedSha.getOrDefault(name, packSha.get(name));
                if (sha == null) throw new IllegalStateException(f.name() + " names " + name + ", which this backup did not store");
                out.append(Checksums.sha256sumLine(sha, name));
            }
            Files.writeString(f.path(), out.toString());
            job.evidence().text(f.name(), out.toString());
            job.add(BundleParts.file(f.name(), f.path()));
        }
        ArtifactManifest.Encryption field = cipher.manifestField(job.environment().project());
        job.encryption(field);
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("format", field.format());
        evidence.put("generation", field.generation());
        evidence.put("recipients", field.recipients());
        evidence.put("files", files);
        evidence.put("duration_ms", (System.nanoTime() - start) / 1_000_000);
        job.evidence().json("encryption.json", evidence);
        job.stepDetail(Map.of("files", files.size(), "generation", field.generation(),
                "duration_ms", (System.nanoTime() - start) / 1_000_000));
    }
}
