package dev.odooops.ops;

import javax.sql.DataSource;

/**
 * The durable record of runs, their events and artifacts, as one aggregate per kind of data it owns. This class only
 * holds them: the SQL is in each aggregate, every statement through {@link CatalogSql}.
 */
public final class OpsCatalog {
    private final RunCatalog runs;
    private final RequestCatalog requests;
    private final ArtifactCatalog artifacts;
    private final PackCatalog packs;
    private final DeletionCatalog deletions;
    private final RetentionCatalog retention;
    private final MetricsCatalog metrics;
    private final DrillCatalog drills;

    public OpsCatalog(DataSource dataSource) {
        CatalogSql sql = new CatalogSql(dataSource);
        this.runs = new RunCatalog(sql);
        this.requests = new RequestCatalog(sql);
        this.artifacts = new ArtifactCatalog(sql);
        this.packs = new PackCatalog(sql);
        this.deletions = new DeletionCatalog(sql);
        this.retention = new RetentionCatalog(sql);
        this.metrics = new MetricsCatalog(sql);
        this.drills = new DrillCatalog(sql);
    }

    /** Runs and their events: start, steps, metadata, end; the run views. */
    public RunCatalog runs() { return runs; }

    /** Service requests: the queue, request ids (idempotency), skipped requests. */
    public RequestCatalog requests() { return requests; }

    /** Artifacts: registration, verification, pins and holds, lookups and lists. */
    public ArtifactCatalog artifacts() { return artifacts; }

    /** The packed filestore: packs, their objects, references, moves and repacks. */
    public PackCatalog packs() { return packs; }

    /** The journal of removals of stored objects. */
    public DeletionCatalog deletions() { return deletions; }

    /** What retention reads: candidates, ended holds, recent safety backups. */
    public RetentionCatalog retention() { return retention; }

    /** The figures the metrics export. */
    public MetricsCatalog metrics() { return metrics; }

    /** Restore drills: their records, leases on artifacts, the artifacts' last drill. */
    public DrillCatalog drills() { return drills; }
}
