package dev.odooops.ops;

/**
 * A command refused because the ops catalog's schema is not this odoo-ops's version ({@link CatalogSchema}); nothing
 * in the catalog was changed. The command line exits 2 with the message, which names both versions.
 */
public final class CatalogVersionRefused extends RuntimeException {
    public CatalogVersionRefused(String message) {
        super(message);
    }

    /** The field the refusal names, as {@code RequestRejected} does. */
    public String field() {
        return "catalog";
    }
}
