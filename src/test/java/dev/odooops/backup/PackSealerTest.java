package dev.odooops.backup;

import dev.odooops.config.EncryptionSettings;
import dev.odooops.domain.Checksums;
import dev.odooops.domain.SecretRedactor;
import dev.odooops.exec.ToolRunner;
import dev.odooops.store.ArtifactCipher;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Constructor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PackSealer with the real age tool: packs encrypted in the background, and nothing left running after close. */
@Tag("fast")
class PackSealerTest {
    static final String R1 = "age1x39vg0z5nk4ly6awxkryka8fvqh7mkjn9wvkqmuz0ujzrm2z2p3spx54f8";

    @TempDir
    Path dir;
    private CamelContext camel;
    private ArtifactCipher cipher;
    private final EncryptionSettings.Encryption encryption = new EncryptionSettings.Encryption(List.of(R1), null);

    @BeforeEach
    void start() throws Exception {
        camel = new DefaultCamelContext();
        camel.start();
        ToolRunner tools = new ToolRunner(camel.createProducerTemplate(), new SecretRedactor(List.of()), Duration.ofSeconds(10));
        Constructor<EncryptionSettings> c = EncryptionSettings.class.getDeclaredConstructor(Map.class);
        c.setAccessible(true);
        cipher = new ArtifactCipher(tools, c.newInstance(Map.of("acme", encryption)), Duration.ofSeconds(60));
    }

    @AfterEach
    void stop() {
        camel.stop();
    }

    private Path pack(int n, int size) throws Exception {
        byte[] b = new byte[size];
        new Random(n).nextBytes(b);
        return Files.write(dir.resolve("a1-" + n + ".tar.zst"), b);
    }

    @Test
    void should_register_the_digest_and_size_of_each_encrypted_pack() throws Exception {
        List<Path> packs = new ArrayList<>();
        List<Future<ArtifactCipher.Sealed>> sealed = new ArrayList<>();
        try (PackSealer sealer = new PackSealer(cipher, encryption)) {
            for (int i = 1; i <= 3; i++) {
                Path p = pack(i, 3_000_000);
                packs.add(p);
                sealed.add(sealer.seal(p, null));
            }
            for (int i = 0; i < 3; i++) {
                ArtifactCipher.Sealed s = sealer.get(sealed.get(i));
                assertTrue(ArtifactCipher.isEncrypted(packs.get(i)));
                assertEquals(Checksums.sha256(packs.get(i)), s.sha256());
                assertEquals(Files.size(packs.get(i)), s.size());
                assertEquals(3_000_000, s.plainSize());
            }
        }
    }

    @Test
    void should_hash_a_plain_pack_on_the_calling_thread_without_encryption() throws Exception {
        Path p = pack(4, 1000);
        try (PackSealer sealer = new PackSealer(cipher, null)) {
            ArtifactCipher.Sealed s = sealer.get(sealer.seal(p, null));
            assertFalse(ArtifactCipher.isEncrypted(p));
            assertEquals(Checksums.sha256(p), s.sha256());
        }
    }

    @Test
    void should_leave_nothing_running_or_half_written_when_closed_after_a_failure() throws Exception {
        try (PackSealer sealer = new PackSealer(cipher, encryption)) {
            for (int i = 1; i <= 4; i++) sealer.seal(pack(i, 8_000_000), null);
            // the archive failed here (tar): no get, straight to close
        }
        try (var left = Files.list(dir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().endsWith(".age-tmp")), "a half-written pack is left");
        }
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.isAlive()
                && (t.getName().equals("pack-sealer") || t.getName().startsWith("hash-a1-"))), "encryption still runs after close");
    }
}
