package dev.odooops.model;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.RetentionPolicy;
import dev.odooops.domain.SecretRedactor;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
    private final Map<String, Object> manifest = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<String> storedKeys = Collections.synchronizedList(new ArrayList<>());
    private volatile String artifactUri;
    private volatile boolean registered;
    private volatile List<String> prunedIds = List.of();

    public BackupJob(BackupRequest request, EnvironmentConfig environment, Instant createdAt, SecretRedactor redactor) {
        super(environment, createdAt, redactor);
        this.request = request;
        this.retention = environment.retention().with(request.keepDaily(), request.keepWeekly(), request.keepMonthly());
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
    public Map<String, Object> manifest() { return manifest; }
    public List<String> storedKeys() { return storedKeys; }
    public String artifactUri() { return artifactUri; }
    public void artifactUri(String uri) { this.artifactUri = uri; }
    public boolean registered() { return registered; }
    public void registered(boolean r) { this.registered = r; }
    public List<String> prunedIds() { return prunedIds; }
    public void prunedIds(List<String> ids) { this.prunedIds = List.copyOf(ids); }
}
