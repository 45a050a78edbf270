package dev.odooops.drill;

import dev.odooops.config.DatabaseConfig;
import dev.odooops.config.DrillSettings;
import dev.odooops.config.EnvironmentConfig;
import dev.odooops.domain.SecretRedactor;
import dev.odooops.model.Artifact;
import dev.odooops.model.DrillRequest;
import dev.odooops.model.RunState;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A drill run in progress: its artifact, the drill settings of its environment, where its scratch copies are (named by
 * {@link DrillNames} after the run), the files fetched, the timings of each step, the checks so far and the RTO once
 * validated. {@link #keep()} is the standby's hook: a drill whose copies are to be kept sets it before keep-or-drop.
 */
public final class DrillJob extends RunState {
    private final DrillRequest request;
    private final Artifact artifact;
    private final DrillSettings.Drill drill;
    private final DatabaseConfig server;
    private final Path dataDir;
    private final Map<String, Path> files = new LinkedHashMap<>();
    private final Map<String, Long> millis = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<DrillChecks.Check> checks = Collections.synchronizedList(new ArrayList<>());
    private volatile long startedNanos;
    private volatile Long rtoMs;
    private volatile boolean keep;
    private volatile boolean leased;
    private volatile String actualTreeDigest;
    private volatile long filestoreFiles;
    private volatile Map<String, Object> standby;

    public DrillJob(UUID runId, DrillRequest request, EnvironmentConfig environment, Artifact artifact, DrillSettings.Drill drill,
                    Path workRoot, Instant createdAt, SecretRedactor redactor) {
        super(runId == null ? UUID.randomUUID() : runId, environment, createdAt, redactor);
        this.request = request;
        this.artifact = artifact;
        this.drill = drill;
        this.server = drill.server(environment);
        this.dataDir = DrillNames.dataDir(drill.workDir() == null ? workRoot : drill.workDir(), runId());
    }

    public DrillRequest request() { return request; }
    public Artifact artifact() { return artifact; }
    public DrillSettings.Drill drill() { return drill; }
    /** The server of the scratch database (and the clone): the drill server, or the environment's own. */
    public DatabaseConfig server() { return server; }
    /** Whether the scratch copies are on the environment's own server (then with the environment's user). */
    public boolean onOwnServer() { return server == environment().database(); }
    public String scratchDatabase() { return DrillNames.database(runId()); }
    public String cloneDatabase() { return DrillNames.clone(runId()); }
    public Path dataDir() { return dataDir; }
    public Path scratchFilestore() { return DrillNames.filestore(dataDir, scratchDatabase()); }
    public Path cloneFilestore() { return DrillNames.filestore(dataDir, cloneDatabase()); }
    public Map<String, Path> files() { return files; }
    /** Milliseconds per step (fetch, restore, unpack, validate, odoo), in drill.json and the report. */
    public Map<String, Long> millis() { return millis; }
    public List<DrillChecks.Check> checks() { synchronized (checks) { return List.copyOf(checks); } }
    public void check(DrillChecks.Check c) { checks.add(c); }
    public long startedNanos() { return startedNanos; }
    public void started() { this.startedNanos = System.nanoTime(); }
    /** Milliseconds from the run's start to validated, once validated. */
    public Long rtoMs() { return rtoMs; }
    public void validated() { this.rtoMs = Math.max(1, (System.nanoTime() - startedNanos) / 1_000_000); }
    /** The standby's hook: keep the scratch copies at keep-or-drop instead of dropping them. */
    public boolean keep() { return keep; }
    public void keep(boolean k) { this.keep = k; }
    /** Whether take-lease recorded the drill (ops.drills). */
    public boolean leased() { return leased; }
    void leased(boolean l) { this.leased = l; }
    /** The warm standby's outcome at keep-or-drop (null: standby off): kept with its bytes, or not with the reason. */
    public Map<String, Object> standby() { return standby; }
    void standby(Map<String, Object> s) { this.standby = s; }
    public String actualTreeDigest() { return actualTreeDigest; }
    public long filestoreFiles() { return filestoreFiles; }
    void unpacked(String digest, long files) {
        this.actualTreeDigest = digest;
        this.filestoreFiles = files;
    }
}
