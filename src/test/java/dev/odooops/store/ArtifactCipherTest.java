package dev.odooops.store;

import dev.odooops.config.EncryptionSettings;
import dev.odooops.config.Secret;
import dev.odooops.domain.SecretRedactor;
import dev.odooops.exec.ToolRunner;
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
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ArtifactCipher with the real age tool: round trip, several recipients, a missing and a wrong identity. */
@Tag("fast")
class ArtifactCipherTest {
    static final String R1 = "age1x39vg0z5nk4ly6awxkryka8fvqh7mkjn9wvkqmuz0ujzrm2z2p3spx54f8";
    static final String I1 = "AGE-SECRET-KEY-1ATWJ6PP4MA9QSR9MLSNMX0VTRMUV6LVWUM4PJT6RQ78CE0MER7HSQ66ZDA";
    static final String R2 = "age1d2rlp042gtmttcxnr4kxzhfzculnze7dlrdrltg7wcjw8mnlgacss0zlny";
    static final String I2 = "AGE-SECRET-KEY-1FL60MJPF86NGFW7UE0YG4KF9J77NZKCCWG345DAMW0DQ66462Y9Q8KRX6Z";

    @TempDir
    Path dir;
    private CamelContext camel;
    private ToolRunner tools;

    @BeforeEach
    void start() {
        camel = new DefaultCamelContext();
        camel.start();
        tools = new ToolRunner(camel.createProducerTemplate(), new SecretRedactor(List.of(I1, I2)), Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() {
        camel.stop();
    }

    private ArtifactCipher cipher(Map<String, EncryptionSettings.Encryption> byProject) throws Exception {
        Constructor<EncryptionSettings> c = EncryptionSettings.class.getDeclaredConstructor(Map.class);
        c.setAccessible(true);
        return new ArtifactCipher(tools, c.newInstance(byProject), Duration.ofSeconds(60));
    }

    private Path randomFile(String name, int size) throws Exception {
        byte[] b = new byte[size];
        new Random(7).nextBytes(b);
        return Files.write(dir.resolve(name), b);
    }

    @Test
    void should_encrypt_to_every_recipient_and_decrypt_with_any_one_identity() throws Exception {
        Path plain = randomFile("db.dump", 300_000);
        byte[] original = Files.readAllBytes(plain);
        var both = new EncryptionSettings.Encryption(List.of(R1, R2), null);
        ArtifactCipher writer = cipher(Map.of("acme", both));
        writer.encryptInPlace(both, plain);
        assertTrue(ArtifactCipher.isEncrypted(plain));
        assertEquals(ArtifactCipher.HEADER, new String(Files.readAllBytes(plain), 0, ArtifactCipher.HEADER.length()));
        assertEquals(both.generation(), writer.generation("acme"));
        assertEquals("age", writer.manifestField("acme").format());

        Path copy = Files.copy(plain, dir.resolve("copy"));
        cipher(Map.of("acme", new EncryptionSettings.Encryption(List.of(R2), new Secret(I2)))).decryptInPlace("acme", copy, "db.dump");
        assertArrayEquals(original, Files.readAllBytes(copy));
        // several identities in the secret (a rotation): any one that matches reads it
        cipher(Map.of("acme", new EncryptionSettings.Encryption(List.of(R1), new Secret(I2 + "\n" + I1)))).decryptInPlace("acme", plain, "db.dump");
        assertArrayEquals(original, Files.readAllBytes(plain));
        assertFalse(cipher(Map.of()).decryptInPlace("acme", plain, "db.dump")); // plain text is left alone
        try (var left = Files.list(dir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith(".age-identity")), "identity file left behind");
        }
    }

    @Test
    void should_seal_a_file_with_the_digest_and_size_of_its_encrypted_bytes_hashed_while_age_writes() throws Exception {
        Path pack = randomFile("a1-0001.tar.zst", 24 * 1024 * 1024 + 17); // several reads of the following reader
        byte[] original = Files.readAllBytes(pack);
        var only1 = new EncryptionSettings.Encryption(List.of(R1), new Secret(I1));
        ArtifactCipher cipher = cipher(Map.of("acme", only1));
        ArtifactCipher.Sealed sealed = cipher.seal(only1, pack);
        assertTrue(ArtifactCipher.isEncrypted(pack));
        assertEquals(original.length, sealed.plainSize());
        assertEquals(Files.size(pack), sealed.size());
        assertEquals(dev.odooops.domain.Checksums.sha256(pack), sealed.sha256()); // the stored bytes', read once more here
        try (var left = Files.list(dir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().endsWith(".age-tmp")), "temporary file left behind");
        }
        cipher.decryptInPlace("acme", pack, "a1-0001.tar.zst");
        assertArrayEquals(original, Files.readAllBytes(pack));
    }

    @Test
    void should_leave_no_temporary_file_and_no_reader_when_age_fails_to_seal() throws Exception {
        Path notAFile = Files.createDirectory(dir.resolve("a1-0002.tar.zst")); // age cannot read it: exits 1
        var only1 = new EncryptionSettings.Encryption(List.of(R1), null);
        assertThrows(dev.odooops.exec.ToolFailedException.class, () -> cipher(Map.of("acme", only1)).seal(only1, notAFile));
        assertTrue(Files.isDirectory(notAFile));
        try (var left = Files.list(dir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().endsWith(".age-tmp")), "temporary file left behind");
        }
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("hash-a1-0002.tar.zst.age-tmp")),
                "the reader outlived the call");
    }

    @Test
    void should_name_a_missing_and_a_wrong_identity_without_showing_a_key() throws Exception {
        Path file = randomFile("filestore.index.tsv", 1000);
        var only1 = new EncryptionSettings.Encryption(List.of(R1), null);
        cipher(Map.of("acme", only1)).encryptInPlace(only1, file);

        EncryptionKeyException missing = assertThrows(EncryptionKeyException.class,
                () -> cipher(Map.of("acme", only1)).decrypt("acme", file, dir.resolve("out"), "filestore.index.tsv of A1"));
        assertEquals(EncryptionKeyException.Reason.NO_IDENTITY, missing.reason());
        assertTrue(missing.getMessage().contains("encryption.identity") && missing.getMessage().contains("acme"), missing.getMessage());

        EncryptionKeyException wrong = assertThrows(EncryptionKeyException.class, () -> cipher(Map.of("acme",
                new EncryptionSettings.Encryption(List.of(R2), new Secret(I2)))).decrypt("acme", file, dir.resolve("out"), "A1"));
        assertEquals(EncryptionKeyException.Reason.NO_MATCH, wrong.reason());
        assertTrue(wrong.getMessage().contains("no identity matched") && !wrong.getMessage().contains(I2), wrong.getMessage());
        assertFalse(Files.exists(dir.resolve("out")));
        try (var left = Files.list(dir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith(".age-identity")), "identity file left behind");
        }
    }
}
