package dev.odooops.store;

import dev.odooops.domain.ArtifactManifest;
import dev.odooops.domain.Checksums;
import dev.odooops.domain.Json;
import dev.odooops.domain.PrivateFiles;
import dev.odooops.exec.ToolRunner;
import dev.odooops.ops.OpsCatalog;

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
    private final ArtifactStore store;
    private final ToolRunner tools;
    private final Path workDir;

    public ArtifactVerifier(ArtifactStore store, ToolRunner tools, Path workDir) {
        this.store = store;
        this.tools = tools;
        this.workDir = workDir;
    }

    public Map<String, Object> verify(OpsCatalog.Artifact artifact, String project, String environment) throws IOException {
        String path = ArtifactStore.artifactPath(project, environment, artifact.id());
        Map<String, Object> files = new LinkedHashMap<>();
        boolean ok = true;
        Path dumpCopy = null;
        PrivateFiles.OWNER_ONLY.createDirectories(workDir);
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
                    dumpCopy = Files.createTempFile(workDir, "verify-", ".dump");
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
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("artifact_id", artifact.id());
            report.put("uri", artifact.uri());
            report.put("files", files);
            List<String> missing = artifact.manifest().missingFields();
            report.put("manifest_complete", missing.isEmpty());
            if (!missing.isEmpty()) {
                report.put("manifest_missing_fields", missing);
                ok = false;
            }
            ok &= sumFilesAgree(path, artifact, report);
            if (dumpCopy != null) {
                try {
                    String toc = tools.run(List.of("pg_restore", "--list", dumpCopy.toString()), Map.of(), Duration.ofMinutes(10)).stdout();
                    long tableData = toc.lines().filter(l -> l.contains(" TABLE DATA ")).count();
                    report.put("pg_restore_list", Map.of("ok", true, "table_data_entries", tableData));
                } catch (RuntimeException ex) {
                    report.put("pg_restore_list", Map.of("ok", false, "error", ex.getMessage()));
                    ok = false;
                }
            }
            report.put("ok", ok);
            return report;
        } finally {
            if (dumpCopy != null) Files.deleteIfExists(dumpCopy);
        }
    }

    /** db.dump.sha256 and filestore.tar.zst.sha256 as stored must name the same digests as the catalog. */
    private boolean sumFilesAgree(String path, OpsCatalog.Artifact artifact, Map<String, Object> report) throws IOException {
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
