package dev.odooops.restore;

import dev.odooops.run.Vars;

import dev.odooops.domain.Checksums;
import dev.odooops.model.RestoreJob;
import dev.odooops.ops.OpsCatalog;
import org.apache.camel.Variable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Restore step 2: the artifact files fetched by the preflight are hashed again where they lie and compared
 * with the catalog (artifact_verification.json). A mismatch fails the run before anything is touched.
 */
public class VerifyRestoreArtifact {
    private final OpsCatalog catalog;

    public VerifyRestoreArtifact(OpsCatalog catalog) {
        this.catalog = catalog;
    }

    public void verify(@Variable(Vars.RESTORE_JOB) RestoreJob job) throws Exception {
        Map<String, Object> files = new LinkedHashMap<>();
        boolean ok = true;
        for (Map.Entry<String, Path> f : job.files().entrySet()) {
            String expected = String.valueOf(job.artifact().checksums().get(f.getKey()));
            String actual = Checksums.sha256(f.getValue());
            boolean match = actual.equals(expected);
            ok &= match;
            files.put(f.getKey(), Map.of("expected_sha256", expected, "actual_sha256", actual,
                    "size", Files.size(f.getValue()), "ok", match));
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("artifact_id", job.artifact().id());
        report.put("uri", job.artifact().uri());
        report.put("files", files);
        report.put("ok", ok);
        job.evidence().json("artifact_verification.json", report);
        if (!ok) throw new IllegalStateException("artifact integrity check failed: a fetched file differs from its recorded SHA-256");
        job.stepDetail(Map.of("files_verified", files.size()));
    }
}
