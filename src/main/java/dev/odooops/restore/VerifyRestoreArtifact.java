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
    private final dev.odooops.store.ArtifactCipher cipher;

    public VerifyRestoreArtifact(OpsCatalog catalog) {
        this(catalog, dev.odooops.store.ArtifactCipher.plain());
    }

    public VerifyRestoreArtifact(OpsCatalog catalog, dev.odooops.store.ArtifactCipher cipher) {
        this.catalog = catalog;
        this.cipher = cipher;
    }

    /**
     * Restore step 2b ({@code decrypt-artifact}): the verified files of an encrypted artifact (manifest field
     * {@code encryption}) replaced by their plain text, with its project's identity; the {@code *.sha256} lists are
     * plain text. Nothing to do for a plain-text artifact.
     */
    public void decrypt(@Variable(Vars.RESTORE_JOB) RestoreJob job) {
        if (job.artifact().manifest() == null || !job.artifact().manifest().encrypted()) return;
        long start = System.nanoTime();
        int n = 0;
        for (Map.Entry<String, Path> f : job.files().entrySet()) {
            if (f.getKey().endsWith(".sha256")) continue;
            if (cipher.decryptInPlace(ArtifactUnpacking.projectOf(job.artifact()), f.getValue(),
                    f.getKey() + " of artifact " + job.artifact().id())) n++;
        }
        job.stepDetail(Map.of("files_decrypted", n, "generation", job.artifact().manifest().encryption().generation(),
                "duration_ms", (System.nanoTime() - start) / 1_000_000));
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
