package dev.odooops.store;

import dev.odooops.config.EncryptionSettings;
import dev.odooops.config.EncryptionSettings.Encryption;
import dev.odooops.domain.ArtifactManifest;
import dev.odooops.exec.ToolFailedException;
import dev.odooops.exec.ToolRunner;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one place artifacts are encrypted and decrypted: the Debian {@code age} tool (age-encryption.org/v1, X25519)
 * through {@link ToolRunner}, with argument lists.
 * <ul>
 *   <li>{@link #encrypt}: {@code age --encrypt -r R1 -r R2 ... -o OUT IN} to a project's recipients (public keys; no
 *   secret on the command line or anywhere else);</li>
 *   <li>{@link #decrypt}: {@code age --decrypt -i IDENTITY_FILE -o OUT IN}; the identity is written to a 0600 file
 *   beside OUT (in the run's private work directory), removed as soon as age has ended, never on a command line, in
 *   evidence or in a log (the redactor knows its value);</li>
 *   <li>{@link #isEncrypted}: a file that starts with age's header, {@value #HEADER}. Readers decide by the bytes, not
 *   by the catalog or the manifest, so an artifact found by hand (disaster recovery) reads the same.</li>
 * </ul>
 * A missing or non-matching identity is an {@link EncryptionKeyException} naming the object and the project.
 */
public class ArtifactCipher {
    public static final String HEADER = "age-encryption.org/v1";
    static final String AGE = "age";
    private static final String NO_MATCH = "no identity matched any of the recipients";

    private final ToolRunner tools;
    private final EncryptionSettings settings;
    private final Duration timeout;

    /** @param timeout of each age run */
    public ArtifactCipher(ToolRunner tools, EncryptionSettings settings, Duration timeout) {
        this.tools = tools;
        this.settings = settings;
        this.timeout = timeout;
    }

    /** No project encrypted and no tool: encrypted data cannot be read ({@link EncryptionKeyException}). */
    public static ArtifactCipher plain() {
        return new ArtifactCipher(null, EncryptionSettings.none(), Duration.ofHours(1));
    }

    /** The encryption new artifacts and packs of {@code project} are written with, or empty: plain text. */
    public Optional<Encryption> encryption(String project) {
        return settings.of(project);
    }

    /** The generation new packs of {@code project} are registered under (null: plain text). */
    public String generation(String project) {
        return settings.of(project).map(Encryption::generation).orElse(null);
    }

    /** The manifest's {@code encryption} field of a new artifact of {@code project} (null: plain text). */
    public ArtifactManifest.Encryption manifestField(String project) {
        return settings.of(project).map(e -> new ArtifactManifest.Encryption(ArtifactManifest.Encryption.AGE,
                e.generation(), e.recipients())).orElse(null);
    }

    /** Whether this host holds an identity for {@code project} (restore, verify --read-data and repack need one). */
    public boolean canRead(String project) {
        return settings.of(project).map(Encryption::canRead).orElse(false);
    }

    /** Whether {@code file} starts with age's header (an encrypted artifact file or pack). */
    public static boolean isEncrypted(Path file) {
        byte[] header = HEADER.getBytes(StandardCharsets.US_ASCII);
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(header.length), header);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** {@code age --encrypt} of {@code in} into {@code out} to every one of {@code recipients}. */
    public void encrypt(List<String> recipients, Path in, Path out) {
        if (recipients.isEmpty()) throw new IllegalArgumentException("no recipients to encrypt " + in.getFileName() + " to");
        List<String> argv = new ArrayList<>(List.of(AGE, "--encrypt"));
        for (String r : recipients) {
            if (!EncryptionSettings.isRecipient(r)) throw new IllegalArgumentException("not an age recipient: " + r);
            argv.addAll(List.of("--recipient", r));
        }
        argv.addAll(List.of("--output", out.toString(), in.toString()));
        tool().run(argv, Map.of(), timeout, ToolRunner.Progress.file(out));
    }

    /** {@code file} replaced by its encryption to {@code encryption}'s recipients (through a temporary file beside it). */
    public void encryptInPlace(Encryption encryption, Path file) {
        Path tmp = file.resolveSibling(file.getFileName() + ".age-tmp");
        try {
            encrypt(encryption.recipients(), file, tmp);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot replace " + file + " by its encryption", e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** An encrypted file: the SHA-256 and size of its stored (encrypted) bytes, and the size of its plain text. */
    public record Sealed(String sha256, long size, long plainSize) {
    }

    /**
     * As {@link #encryptInPlace}, returning the SHA-256 and size of the encrypted bytes, hashed while age writes them
     * (a reader follows age's output file as it grows, so the encrypted file is not read a second time after age).
     */
    public Sealed seal(Encryption encryption, Path file) {
        Path tmp = file.resolveSibling(file.getFileName() + ".age-tmp");
        FollowingDigest digest = new FollowingDigest(tmp);
        try {
            long plainSize = Files.size(file);
            digest.start();
            try {
                encrypt(encryption.recipients(), file, tmp);
            } finally {
                digest.ended(); // age has exited: what the file holds now is all it will hold
            }
            FollowingDigest.Result hashed = digest.await();
            long size = Files.size(tmp);
            if (hashed.size() != size) {
                throw new IllegalStateException("hashed " + hashed.size() + " of the " + size + " bytes age wrote to " + tmp.getFileName());
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new Sealed(hashed.sha256(), size, plainSize);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot replace " + file + " by its encryption", e);
        } finally {
            digest.ended();
            digest.awaitQuietly();
            deleteQuietly(tmp);
        }
    }

    /**
     * {@code age --decrypt} of {@code in} (an object of {@code project}; {@code what} names it in messages) into
     * {@code out} with the project's identity.
     *
     * @throws EncryptionKeyException no identity configured, or none of its keys matches the recipients
     */
    public void decrypt(String project, Path in, Path out, String what) {
        Secret identity = identityOf(project, what);
        Path idFile = null;
        try {
            Path dir = out.toAbsolutePath().getParent();
            idFile = Files.createTempFile(dir, ".age-identity-", "",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(idFile, identity.value() + "\n");
            tool().run(List.of(AGE, "--decrypt", "--identity", idFile.toString(), "--output", out.toString(), in.toString()),
                    Map.of(), timeout, ToolRunner.Progress.file(out));
        } catch (ToolFailedException e) {
            deleteQuietly(out);
            if (e.getMessage() != null && e.getMessage().contains(NO_MATCH)) {
                throw new EncryptionKeyException(EncryptionKeyException.Reason.NO_MATCH, what + " cannot be decrypted: the "
                        + "encryption.identity configured for project " + project + " matches none of the recipients it was "
                        + "encrypted to (age: " + NO_MATCH + ")");
            }
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the identity file beside " + out, e);
        } finally {
            deleteQuietly(idFile);
        }
    }

    /**
     * When {@code file} is encrypted: replaced by its plain text (decrypted beside it, then moved over it). Returns
     * whether it was encrypted; a plain file is left as it is.
     */
    public boolean decryptInPlace(String project, Path file, String what) {
        if (!isEncrypted(file)) return false;
        Path tmp = file.resolveSibling(file.getFileName() + ".plain-tmp");
        try {
            decrypt(project, file, tmp, what);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot replace " + file + " by its plain text", e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /**
     * Refuses early, before anything live changes, what {@link #decrypt} would refuse later: an object of
     * {@code project} that is encrypted while no identity is configured.
     */
    public void requireIdentity(String project, String what) {
        identityOf(project, what);
    }

    private record Secret(String value) {
        @Override
        public String toString() {
            return "[REDACTED]";
        }
    }

    private Secret identityOf(String project, String what) {
        Optional<Encryption> e = settings.of(project);
        if (e.isEmpty() || e.get().identity() == null) {
            throw new EncryptionKeyException(EncryptionKeyException.Reason.NO_IDENTITY, what + " is encrypted (age) and no "
                    + "encryption.identity is configured for project " + project + " (restore, verify-artifact --read-data "
                    + "and repack need it; see docs/configuration.md, encryption)");
        }
        return new Secret(e.get().identity().reveal());
    }

    private ToolRunner tool() {
        if (tools == null) throw new IllegalStateException("no tool runner: this cipher only reads plain text");
        return tools;
    }

    private static void deleteQuietly(Path p) {
        if (p == null) return;
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // in the run's work directory, removed with it
        }
    }
}
