package dev.odooops.store;

/**
 * Encrypted data could not be read: no identity is configured for its project ({@link Reason#NO_IDENTITY}), or the
 * configured identity is not one the data was encrypted to ({@link Reason#NO_MATCH}, age's "no identity matched any of
 * the recipients"). Permanent: retrying does not help; the message names the object, the project and the key to set,
 * never the identity.
 */
public class EncryptionKeyException extends RuntimeException {
    public enum Reason { NO_IDENTITY, NO_MATCH }

    private final Reason reason;

    public EncryptionKeyException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
