package dev.odooops.flows;

import dev.odooops.OpsRuntime;
import dev.odooops.domain.Json;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import static dev.odooops.support.TestEnvironment.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Not part of the suite (its name does not end in Test): what encryption adds to a backup of a few hundred MB, run by
 * hand with {@code mvn -B -q -o test -Dtest=EncryptionCostProbe}. The archive format is used so that every backup does
 * the same work (no deduplication); plain and encrypted backups alternate after a warm-up, and the figures are printed.
 * The benchmark on the SCALE=100 dataset is bench/ (issue 15).
 */
class EncryptionCostProbe {
    @Test
    void measure() throws Exception {
        try (TestEnvironment env = TestEnvironment.create("enccost").withLocalStore().withType("staging")
                .withProperty("backup.filestore-format", "archive").withBulk(Integer.getInteger("probe.db-mb", 150))) {
            Random random = new Random(1);
            int files = Integer.getInteger("probe.files", 40);
            for (int i = 0; i < files; i++) {
                byte[] b = new byte[2_500_000];
                random.nextBytes(b);
                Path d = Files.createDirectories(env.odoo.filestore().resolve(String.format("r%02d", i)));
                Files.write(d.resolve("random-" + i), b);
            }
            Path key = env.root.resolve("key.txt");
            sh(null, "age-keygen", "-o", key.toString());
            String recipient = sh(null, "age-keygen", "-y", key.toString()).strip();
            long[] plain = new long[2];
            long[] encrypted = new long[2];
            long bytesPlain = 0;
            long bytesEncrypted = 0;
            long encryptMs = 0;
            once(env, false, recipient); // warm-up
            for (int round = 0; round < 2; round++) {
                Timed p = once(env, false, recipient);
                plain[round] = p.ms();
                bytesPlain = total(p.result());
                Timed t = once(env, true, recipient);
                BackupResult e = t.result();
                encrypted[round] = t.ms();
                bytesEncrypted = total(e);
                encryptMs = ((Number) Json.readMap(Path.of(e.evidenceDir()).resolve("encryption.json")).get("duration_ms")).longValue();
            }
            System.out.printf("ENCRYPTION COST: artifact %d bytes plain, %d bytes encrypted; backup ms plain %s, encrypted %s; "
                            + "encrypt-artifact step %d ms (last round)%n", bytesPlain, bytesEncrypted,
                    java.util.Arrays.toString(plain), java.util.Arrays.toString(encrypted), encryptMs);
        }
    }

    private static long total(BackupResult r) {
        Map<String, Object> reg = Json.readMap(Path.of(r.evidenceDir()).resolve("artifact_registration.json"));
        return ((Number) reg.get("total_bytes")).longValue();
    }

    private record Timed(BackupResult result, long ms) {
    }

    /** One backup in a runtime of its own; the time of the backup call alone (not the runtime's start). */
    private static Timed once(TestEnvironment env, boolean encrypt, String recipient) throws Exception {
        env.withTopYaml(encrypt ? "encryption: {recipients: [" + recipient + "]}" : "");
        try (OpsRuntime runtime = env.runtime()) {
            long t0 = System.nanoTime();
            BackupResult r = runtime.operations().backup(BackupRequest.of(env.project, "prod", BackupType.FULL, null, null,
                    null, null, "operator", "probe"));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals("success", r.status(), r.error());
            return new Timed(r, ms);
        }
    }
}
