package dev.odooops.domain;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("fast")
class OdooPasswordHashTest {
    /** Python's hashlib.pbkdf2_hmac('sha512', b'correct horse', bytes(range(16)), 1000), in passlib's ab64 form. */
    static final String VECTOR = "$pbkdf2-sha512$1000$AAECAwQFBgcICQoLDA0ODw$Xpx07WjVx4vCIvrmBRj8uOoVVtGqJqtUv2J5bhizSQs7osCteF7W4A61dZDqSIqQjO.dxO6p5FT/Uy7QRBXSXA";

    @Test
    void should_write_passlib_pbkdf2_sha512_form_byte_for_byte() {
        byte[] salt = new byte[16];
        for (int i = 0; i < 16; i++) salt[i] = (byte) i;
        assertEquals(VECTOR, OdooPasswordHash.hash("correct horse", salt, 1000));
    }

    @Test
    void should_use_odoo_rounds_a_16_byte_salt_and_a_64_byte_checksum() {
        String h = OdooPasswordHash.hash("s3cret");
        String[] parts = h.split("\\$");
        assertEquals("pbkdf2-sha512", parts[1]);
        assertEquals("600000", parts[2]);
        assertEquals(16, OdooPasswordHash.fromAb64(parts[3]).length);
        assertEquals(64, OdooPasswordHash.fromAb64(parts[4]).length);
        assertFalse(h.contains("+") || h.contains("="), "ab64: '.' for '+', no padding");
        assertTrue(OdooPasswordHash.verify("s3cret", h));
        assertFalse(OdooPasswordHash.verify("other", h));
        assertNotEquals(h, OdooPasswordHash.hash("s3cret"), "a new salt each time");
    }

    @Test
    void should_verify_the_known_vector() {
        assertTrue(OdooPasswordHash.verify("correct horse", VECTOR));
    }
}
