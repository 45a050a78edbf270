package dev.odooops.domain;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A password hash as Odoo 17/18 store it in {@code res_users.password}: passlib's {@code pbkdf2_sha512} (the first
 * scheme of {@code res.users}' {@code _crypt_context}, 600000 rounds), written
 * {@code $pbkdf2-sha512$<rounds>$<ab64 salt>$<ab64 checksum>} with a 16-byte salt and a 64-byte checksum. passlib's
 * "ab64" is standard base64 with {@code .} instead of {@code +} and no padding. Odoo verifies it and, at login, keeps
 * it (the rounds are its own).
 */
public final class OdooPasswordHash {
    public static final int ROUNDS = 600_000;
    static final int SALT_BYTES = 16;
    static final int CHECKSUM_BYTES = 64;
    private static final SecureRandom RANDOM = new SecureRandom();

    private OdooPasswordHash() {
    }

    /** A new hash of {@code password} with a random salt. */
    public static String hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return hash(password, salt, ROUNDS);
    }

    public static String hash(String password, byte[] salt, int rounds) {
        return "$pbkdf2-sha512$" + rounds + "$" + ab64(salt) + "$" + ab64(derive(password, salt, rounds));
    }

    /** Whether {@code hash} (passlib pbkdf2_sha512 form) is the hash of {@code password}. */
    public static boolean verify(String password, String hash) {
        String[] parts = hash.split("\\$", -1);
        if (parts.length != 5 || !parts[0].isEmpty() || !"pbkdf2-sha512".equals(parts[1])) return false;
        int rounds = Integer.parseInt(parts[2]);
        byte[] salt = fromAb64(parts[3]);
        return java.security.MessageDigest.isEqual(fromAb64(parts[4]), derive(password, salt, rounds));
    }

    static String ab64(byte[] bytes) {
        return Base64.getEncoder().withoutPadding().encodeToString(bytes).replace('+', '.');
    }

    static byte[] fromAb64(String s) {
        return Base64.getDecoder().decode(s.replace('.', '+'));
    }

    private static byte[] derive(String password, byte[] salt, int rounds) {
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, rounds, CHECKSUM_BYTES * 8);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA512 unavailable", e);
        } finally {
            spec.clearPassword();
        }
    }
}
