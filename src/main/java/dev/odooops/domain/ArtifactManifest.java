package dev.odooops.domain;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The artifact contract, written as manifest.json beside the files and stored in {@code ops.artifacts}:
 * <pre>
 * {artifact_id, created_at, backup_type, kind, label,
 *  source_env {project, name, environment_id, type, db},
 *  db_dump {path, sha256, size}            (null for filestore_only)
 *  filestore {path, sha256, size, tree_digest, file_count, tree_digest_version[, packs [{id, sha256, size}]]}
 *                                          (null for db_only; format 2: path is filestore.index.tsv)
 *  manifest {odoo_version, addons_hash, modules_installed, db_major_version[, app, app_version]},
 *  files {name: {sha256, size}},
 *  format_version                          (absent: 1, the filestore as filestore.tar.zst; 2: packed)
 *  encryption {format, generation, recipients}}
 *                                          (absent: plain text; "age": every file but manifest.json and the
 *                                          *.sha256 lists is an age file to these recipients, and so are the packs;
 *                                          every sha256 and size above is of the stored, encrypted bytes)
 * </pre>
 * The JSON names are the contract (artifacts written by earlier versions read the same); fields this version
 * does not know are ignored when reading. The restore side refuses an artifact whose manifest lacks any field
 * {@link #missingFields} reports.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ArtifactManifest(
        @JsonProperty("artifact_id") String artifactId,
        @JsonProperty("created_at") String createdAt,
        @JsonProperty("backup_type") String backupType,
        @JsonProperty("kind") String kind,
        @JsonProperty("label") String label,
        @JsonProperty("source_env") SourceEnv sourceEnv,
        @JsonProperty("db_dump") Part dbDump,
        @JsonProperty("filestore") FilestorePart filestore,
        @JsonProperty("manifest") OdooState odoo,
        @JsonProperty("files") Map<String, FileSum> files,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("format_version") Integer formatVersion,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("encryption") Encryption encryption) {

    public static final String FILE = "manifest.json";
    /** Format 1: the filestore as one filestore.tar.zst. Format 2: a filestore index and the project's packs. */
    public static final int FORMAT_ARCHIVE = 1;
    public static final int FORMAT_PACKED = 2;

    /** An artifact of format 1 (what every version before the packed filestore wrote; the field was absent). */
    public ArtifactManifest(String artifactId, String createdAt, String backupType, String kind, String label,
                            SourceEnv sourceEnv, Part dbDump, FilestorePart filestore, OdooState odoo,
                            Map<String, FileSum> files) {
        this(artifactId, createdAt, backupType, kind, label, sourceEnv, dbDump, filestore, odoo, files, null);
    }

    /** An artifact written in plain text (no {@code encryption} field). */
    public ArtifactManifest(String artifactId, String createdAt, String backupType, String kind, String label,
                            SourceEnv sourceEnv, Part dbDump, FilestorePart filestore, OdooState odoo,
                            Map<String, FileSum> files, Integer formatVersion) {
        this(artifactId, createdAt, backupType, kind, label, sourceEnv, dbDump, filestore, odoo, files, formatVersion, null);
    }

    /** This manifest with {@code encryption} (null: plain text). */
    public ArtifactManifest withEncryption(Encryption e) {
        return new ArtifactManifest(artifactId, createdAt, backupType, kind, label, sourceEnv, dbDump, filestore, odoo, files,
                formatVersion, e);
    }

    public boolean encrypted() {
        return encryption != null;
    }

    /**
     * How the artifact's files are encrypted: {@code format} {@code age} (age-encryption.org/v1, X25519), the
     * {@code generation} of the recipient set (see config.EncryptionSettings.generationOf) and the recipients (public
     * keys: not secret). The identity that reads them is never written anywhere.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Encryption(@JsonProperty("format") String format, @JsonProperty("generation") String generation,
                             @JsonProperty("recipients") List<String> recipients) {
        public static final String AGE = "age";
    }

    /** 1 when the manifest does not say (artifacts made before the packed filestore). */
    public int format() {
        return formatVersion == null ? FORMAT_ARCHIVE : formatVersion;
    }

    /** A pack the packed filestore of this artifact needs: {@code <project>/_packs/<id>.tar.zst}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record PackRef(@JsonProperty("id") String id, @JsonProperty("sha256") String sha256,
                          @JsonProperty("size") long size) {
    }

    /** The environment the artifact was taken from. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record SourceEnv(@JsonProperty("project") String project, @JsonProperty("name") String name,
                            @JsonProperty("environment_id") String environmentId, @JsonProperty("type") String type,
                            @JsonProperty("db") String db) {
    }

    /** One data file of the artifact (the database dump). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Part(@JsonProperty("path") String path, @JsonProperty("sha256") String sha256,
                       @JsonProperty("size") long size) {
    }

    /** The filestore archive and the tree it holds (digest and file count, checked after extraction). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FilestorePart(@JsonProperty("path") String path, @JsonProperty("sha256") String sha256,
                                @JsonProperty("size") long size, @JsonProperty("tree_digest") String treeDigest,
                                @JsonProperty("file_count") Integer fileCount,
                                @JsonProperty("tree_digest_version") Integer treeDigestVersion,
                                @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("packs") java.util.List<PackRef> packs) {
        /** The filestore archive of format 1. */
        public FilestorePart(String path, String sha256, long size, String treeDigest, Integer fileCount,
                             Integer treeDigestVersion) {
            this(path, sha256, size, treeDigest, fileCount, treeDigestVersion, null);
        }
    }

    /**
     * What the application was when the backup was taken: the restore compares it with the target. {@code app} is
     * absent for Odoo (every artifact before the Dolibarr profile) and {@code dolibarr} otherwise; a Dolibarr's
     * version is {@code app_version} (its {@code odoo_version} is null) and its {@code modules_installed} are the
     * enabled modules.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record OdooState(@JsonProperty("odoo_version") String odooVersion,
                            @JsonProperty("addons_hash") String addonsHash,
                            @JsonProperty("modules_installed") Map<String, String> modulesInstalled,
                            @JsonProperty("db_major_version") String dbMajorVersion,
                            @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("app") String app,
                            @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("app_version") String appVersion) {
        public OdooState(String odooVersion, String addonsHash, Map<String, String> modulesInstalled, String dbMajorVersion) {
            this(odooVersion, addonsHash, modulesInstalled, dbMajorVersion, null, null);
        }

        /** The same facts with the server's major version, known once the dump has run. */
        public OdooState withDbMajorVersion(String version) {
            return new OdooState(odooVersion, addonsHash, modulesInstalled, version, app, appVersion);
        }

        /** The application the artifact was taken from (odoo when the manifest does not say). */
        public AppProfile profile() {
            return AppProfile.of(app);
        }
    }

    /** A file's digest and size, as listed in {@code files}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FileSum(@JsonProperty("sha256") String sha256, @JsonProperty("size") long size) {
    }

    /** A manifest from its JSON (manifest.json, or the catalog's copy). */
    public static ArtifactManifest parse(String json) {
        try {
            return Json.MAPPER.readValue(json, ArtifactManifest.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not an artifact manifest: " + e.getOriginalMessage(), e);
        }
    }

    public String toJson() {
        return Json.pretty(this);
    }

    /** module -> version as the backup recorded them, or null when the manifest has none. */
    public Map<String, String> modulesInstalled() {
        return odoo == null ? null : odoo.modulesInstalled();
    }

    /**
     * The contract fields missing from this manifest (empty when it is complete for its backup type). Only
     * {@code manifest.odoo_version} may be null: a database without Odoo's tables has no version.
     */
    public List<String> missingFields() {
        List<String> missing = new ArrayList<>();
        require(artifactId, "artifact_id", missing);
        require(createdAt, "created_at", missing);
        require(backupType, "backup_type", missing);
        require(sourceEnv, "source_env", missing);
        require(odoo, "manifest", missing);
        require(files, "files", missing);
        if (sourceEnv != null) {
            require(sourceEnv.name(), "source_env.name", missing);
            require(sourceEnv.db(), "source_env.db", missing);
        }
        if (odoo != null) {
            require(odoo.addonsHash(), "manifest.addons_hash", missing);
            require(odoo.modulesInstalled(), "manifest.modules_installed", missing);
            require(odoo.dbMajorVersion(), "manifest.db_major_version", missing);
        }
        if (!"filestore_only".equals(backupType)) {
            if (dbDump == null) missing.add("db_dump");
            else {
                require(dbDump.path(), "db_dump.path", missing);
                require(dbDump.sha256(), "db_dump.sha256", missing);
            }
        }
        if (!"db_only".equals(backupType)) {
            if (filestore == null) missing.add("filestore");
            else {
                require(filestore.path(), "filestore.path", missing);
                require(filestore.sha256(), "filestore.sha256", missing);
            }
        }
        return missing;
    }

    private static void require(Object value, String field, List<String> missing) {
        if (value == null) missing.add(field);
    }
}
