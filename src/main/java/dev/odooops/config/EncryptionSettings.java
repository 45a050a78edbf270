package dev.odooops.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Encryption at rest of each project's artifacts (see docs/configuration.md, {@code encryption}): the key
 * {@code encryption: {recipients: [age1..., ...], identity: ${secret:NAME}}} at the top of the environments file, and per
 * project to override it key by key (a project's {@code recipients} replace the top ones; its {@code identity} replaces
 * the top one; a key it leaves out is the top one's). No block anywhere: the project's artifacts are written in plain
 * text, as before.
 * <ul>
 *   <li>{@code recipients}: age X25519 public keys ({@code age1} and 58 bech32 characters, checksum checked), at least
 *   one; every new artifact and pack is encrypted to all of them (several: escrow, rotation).</li>
 *   <li>{@code identity}: a secret reference to age identities, one {@code AGE-SECRET-KEY-1...} a line (several during a
 *   rotation; {@code #} comment lines and blank lines allowed), needed only to read data: restore, verify
 *   {@code --read-data}, repack. Never printed: its value is a {@link Secret} and one of {@link #secrets()}.</li>
 * </ul>
 * Read and validated when odoo-ops starts, each error naming the key ({@code encryption.recipients[1]}).
 */
public final class EncryptionSettings {
    public static final String KEY = "encryption";
    /** The owner of the top-level block in {@link OpsConfig#section}. */
    static final String TOP = "";
    private static final String BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

    /**
     * One project's encryption: the recipients new objects are encrypted to, the identity that reads them (null: this
     * host cannot read encrypted data), and the generation of the recipient set ({@link #generationOf}).
     */
    public record Encryption(List<String> recipients, Secret identity) {
        public Encryption {
            recipients = List.copyOf(recipients);
        }

        /** The generation of these recipients: what a pack written for them is registered under. */
        public String generation() {
            return generationOf(recipients);
        }

        public boolean canRead() {
            return identity != null;
        }

        @Override
        public String toString() {
            return "Encryption[generation=" + generation() + ", recipients=" + recipients + ", identity="
                    + (identity == null ? "none" : "[REDACTED]") + "]";
        }
    }

    private final Map<String, Encryption> byProject;

    private EncryptionSettings(Map<String, Encryption> byProject) {
        this.byProject = Map.copyOf(byProject);
    }

    /** No project encrypted (tests, tools that only list). */
    public static EncryptionSettings none() {
        return new EncryptionSettings(Map.of());
    }

    /** Reads the top-level {@code encryption} block and every project's. */
    public static EncryptionSettings of(OpsConfig config) {
        Optional<ConfigNode> top = config.section(TOP, KEY);
        Map<String, Encryption> out = new LinkedHashMap<>();
        Block defaults = top.map(EncryptionSettings::read).orElse(null);
        for (EnvironmentConfig env : config.environments()) {
            if (out.containsKey(env.project())) continue;
            Optional<ConfigNode> own = config.section(env.project(), KEY);
            Block b = own.map(EncryptionSettings::read).orElse(null);
            Block merged = merge(defaults, b);
            if (merged == null) continue;
            if (merged.recipients == null) {
                ConfigNode where = own.orElseGet(top::get);
                throw where.error(where.path().isEmpty() ? "recipients" : where.path() + ".recipients",
                        "a non-empty list of age recipients (age1...)", null);
            }
            out.put(env.project(), new Encryption(merged.recipients, merged.identity));
        }
        return new EncryptionSettings(out);
    }

    /** The encryption of {@code project}, or empty: its artifacts are plain text. */
    public Optional<Encryption> of(String project) {
        return Optional.ofNullable(byProject.get(project));
    }

    /** The identities' values, for the redactor (scrubbed from any tool message or log line). */
    public List<String> secrets() {
        List<String> out = new ArrayList<>();
        byProject.values().forEach(e -> {
            if (e.identity() != null) {
                out.add(e.identity().reveal());
                identities(e.identity().reveal()).forEach(out::add);
            }
        });
        return out;
    }

    /** The first 16 hexadecimal digits of the SHA-256 of the sorted, distinct recipients joined by new lines. */
    public static String generationOf(List<String> recipients) {
        String joined = String.join("\n", new TreeSet<>(recipients));
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(joined.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code s} is an age X25519 recipient: {@code age1}, 58 bech32 characters, a valid bech32 checksum. */
    public static boolean isRecipient(String s) {
        return s != null && s.length() == 62 && s.startsWith("age1") && bech32(s, "age");
    }

    /** The identities of an identity file's text: its {@code AGE-SECRET-KEY-1} lines (comments and blank lines skipped). */
    public static List<String> identities(String text) {
        List<String> out = new ArrayList<>();
        for (String line : text.split("\\R")) {
            String l = line.strip();
            if (!l.isEmpty() && !l.startsWith("#")) out.add(l);
        }
        return out;
    }

    /** Whether {@code s} is an age X25519 identity ({@code AGE-SECRET-KEY-1}..., upper-case bech32, checksum checked). */
    public static boolean isIdentity(String s) {
        return s != null && s.length() == 74 && s.startsWith("AGE-SECRET-KEY-1")
                && bech32(s.toLowerCase(Locale.ROOT), "age-secret-key-");
    }

    private record Block(List<String> recipients, Secret identity) {
    }

    private static Block merge(Block top, Block own) {
        if (top == null) return own;
        if (own == null) return top;
        return new Block(own.recipients != null ? own.recipients : top.recipients, own.identity != null ? own.identity : top.identity);
    }

    private static Block read(ConfigNode n) {
        if (!n.isMapping()) throw n.error(n.path(), "a mapping {recipients: [age1...], identity: ${secret:NAME}}", null);
        n.only("recipients", "identity");
        List<String> recipients = null;
        if (n.has("recipients")) {
            List<ConfigNode> items = n.list("recipients", true);
            LinkedHashSet<String> seen = new LinkedHashSet<>();
            List<String> values = n.strings("recipients");
            for (int i = 0; i < values.size(); i++) {
                String r = values.get(i).strip();
                if (!isRecipient(r)) {
                    throw items.get(i).error(items.get(i).path(),
                            "an age X25519 recipient: age1 and 58 characters of " + BECH32 + " with a valid checksum (age-keygen -y)", r);
                }
                if (!seen.add(r)) throw items.get(i).error(items.get(i).path(), "a recipient listed once", r);
            }
            recipients = List.copyOf(seen);
        }
        Secret identity = n.secret("identity", false);
        if (identity != null) {
            String where = n.child("identity").path();
            List<String> lines = identities(identity.reveal());
            if (lines.isEmpty()) throw new ConfigException(n.file() + ": " + where + ": the secret holds no age identity");
            for (int i = 0; i < lines.size(); i++) {
                // never echo the value: it is a private key
                if (!isIdentity(lines.get(i))) {
                    throw new ConfigException(n.file() + ": " + where + ": line " + (i + 1) + " of the secret is not an age identity"
                            + " (expected AGE-SECRET-KEY-1 and 58 characters, as age-keygen writes it)");
                }
            }
        }
        return new Block(recipients, identity);
    }

    // bech32 (BIP 173) checksum over the human-readable part and the data characters
    private static boolean bech32(String s, String hrp) {
        int sep = s.lastIndexOf('1');
        if (sep != hrp.length() || !s.startsWith(hrp)) return false;
        String data = s.substring(sep + 1);
        if (data.length() < 6) return false;
        int[] values = new int[data.length()];
        for (int i = 0; i < data.length(); i++) {
            int v = BECH32.indexOf(data.charAt(i));
            if (v < 0) return false;
            values[i] = v;
        }
        int chk = 1;
        for (int i = 0; i < hrp.length(); i++) chk = polymod(chk, hrp.charAt(i) >> 5);
        chk = polymod(chk, 0);
        for (int i = 0; i < hrp.length(); i++) chk = polymod(chk, hrp.charAt(i) & 31);
        for (int v : values) chk = polymod(chk, v);
        return chk == 1;
    }

    private static int polymod(int chk, int v) {
        int[] gen = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
        int b = chk >>> 25;
        chk = ((chk & 0x1ffffff) << 5) ^ v;
        for (int i = 0; i < 5; i++) if (((b >> i) & 1) == 1) chk ^= gen[i];
        return chk;
    }
}
