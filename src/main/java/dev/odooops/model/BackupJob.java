package dev.odooops.model;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.domain.RetentionPolicy;
import dev.odooops.domain.ArtifactManifest;
import dev.odooops.domain.FilestoreCheck;
import dev.odooops.domain.SecretRedactor;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The state of one backup run as it moves through the steps. It travels in the exchange variable
 * {@code backupJob}; the database dump and the filestore archive fill their halves concurrently.
 */
public final class BackupJob extends RunState {
    /** One produced file of the bundle: name in the bundle, local path, size and SHA-256. */
    public record BundleFile(String name, Path path, long size, String sha256) {
    }

    private final BackupRequest request;
    private final RetentionPolicy retention;
    private final String artifactId;
    private volatile boolean degradedMode;
    private volatile String dbMajorVersion;
    private final Map<String, BundleFile> bundle = Collections.synchronizedMap(new LinkedHashMap<>());
    private volatile ArtifactManifest.OdooState odooState;
    private volatile Map<String, Map<String, String>> fingerprint;
    private volatile String unchangedSince;
    private volatile PackedFilestore packed;
    private final List<String> uploadedPacks = Collections.synchronizedList(new ArrayList<>());
    private final List<String> storedKeys = Collections.synchronizedList(new ArrayList<>());
    private volatile String artifactUri;
    private volatile boolean registered;
    private volatile List<String> prunedIds = List.of();
    private final CompletableFuture<FilestoreCheck.References> attachmentReferences = new CompletableFuture<>();
    private volatile FilestoreCheck filestoreCheck;
    private volatile List<String> plannedPrunes = List.of();
    private volatile boolean committed;
    private volatile ArtifactManifest.Encryption encryption;

    public BackupJob(BackupRequest request, EnvironmentConfig environment, Instant createdAt, SecretRedactor redactor) {
        this(java.util.UUID.randomUUID(), request, environment, createdAt, redactor);
    }

    /** The job of a run whose id is already chosen (a queued service request). */
    public BackupJob(java.util.UUID runId, BackupRequest request, EnvironmentConfig environment, Instant createdAt,
                     SecretRedactor redactor) {
        super(runId, environment, createdAt, redactor);
        this.request = request;
        this.retention = environment.retention().with(request.keepDaily(), request.keepWeekly(), request.keepMonthly(),
                request.keepYearly());
        this.artifactId = environment.project() + "-" + environment.name() + "-"
                + createdAt.toString().replaceAll("[-:]", "").replaceAll("\\.\\d+", "") + "-"
                + runId().toString().substring(0, 6);
    }

    public BackupRequest request() { return request; }
    public RetentionPolicy retention() { return retention; }
    public String artifactId() { return artifactId; }
    public boolean degradedMode() { return degradedMode; }
    public void degradedMode(boolean d) { this.degradedMode = d; }
    public String dbMajorVersion() { return dbMajorVersion; }
    public void dbMajorVersion(String v) { this.dbMajorVersion = v; }
    public Map<String, BundleFile> bundle() { return bundle; }
    public void add(BundleFile f) { bundle.put(f.name(), f); }
    /**
     * What the filestore half of a packed backup (format 2) made: the index, the packs it wrote into the work
     * directory (stored by upload-packs) and the objects they hold; registered with the artifact.
     */
    public record PackedFilestore(dev.odooops.domain.FilestoreIndex index,
                                  List<dev.odooops.model.NewPack> newPacks,
                                  List<dev.odooops.model.StoredObject> newObjects,
                                  List<ArtifactManifest.PackRef> packRefs) {
    }

    public PackedFilestore packed() { return packed; }
    /** How encrypt-artifact encrypted the bundle and the new packs (the manifest's {@code encryption}), or null: plain text. */
    public ArtifactManifest.Encryption encryption() { return encryption; }
    public void encryption(ArtifactManifest.Encryption e) { this.encryption = e; }
    public void packed(PackedFilestore p) { this.packed = p; }
    /** Store keys of the packs this run uploaded ({@code <project>/_packs} names): a run failing before it registers them removes them. */
    public List<String> uploadedPacks() { return uploadedPacks; }

    private final PackUploads packUploads = new PackUploads();

    /** The uploads of new packs started while the filestore half still writes the next ones (backup.UploadPacks#start). */
    public PackUploads packUploads() { return packUploads; }
    /** The change fingerprints ({@code database}, {@code filestore}) read before the dump, stored with the artifact. */
    public Map<String, Map<String, String>> fingerprint() { return fingerprint; }
    public void fingerprint(Map<String, Map<String, String>> f) { this.fingerprint = f; }
    /** The verified artifact this run found the environment unchanged since (the run is skipped), or null. */
    public String unchangedSince() { return unchangedSince; }
    public void unchangedSince(String artifactId) { this.unchangedSince = artifactId; }
    public boolean skippedUnchanged() { return unchangedSince != null; }
    /** Odoo's version, addons hash and modules as the config snapshot found them (the manifest's "manifest"). */
    public ArtifactManifest.OdooState odooState() { return odooState; }
    public void odooState(ArtifactManifest.OdooState s) { this.odooState = s; }
    public List<String> storedKeys() { return storedKeys; }
    public String artifactUri() { return artifactUri; }
    public void artifactUri(String uri) { this.artifactUri = uri; }
    public boolean registered() { return registered; }
    public void registered(boolean r) { this.registered = r; }
    public List<String> prunedIds() { return prunedIds; }
    public void prunedIds(List<String> ids) { this.prunedIds = List.copyOf(ids); }
    /**
     * The files the database snapshot references, completed by the dump half once its snapshot is taken (so
     * the filestore half takes its inventory after it), or exceptionally when the dump fails before that.
     */
    public CompletableFuture<FilestoreCheck.References> attachmentReferences() { return attachmentReferences; }
    /** Problems that did not fail the run but that its result must state (e.g. missing attachment files). */
    public FilestoreCheck filestoreCheck() { return filestoreCheck; }
    public void filestoreCheck(FilestoreCheck check) { this.filestoreCheck = check; }
    /** The artifacts retention will prune once this run is committed (ids, oldest first). */
    public List<String> plannedPrunes() { return plannedPrunes; }
    public void plannedPrunes(List<String> ids) { this.plannedPrunes = List.copyOf(ids); }
    /** The run is recorded successful: its artifact is kept whatever happens after. */
    public boolean committed() { return committed; }
    public void committed(boolean c) { this.committed = c; }
}
