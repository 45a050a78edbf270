package dev.odooops.domain;

/**
 * The anonymisation rules of a sanitised snapshot (issue 14, section 1): Odoo's defaults, overridden per project by a
 * YAML file. STUB: the anonymisation work (helper "anon") replaces this class; keep {@link #defaults()} and
 * {@link #load(java.nio.file.Path)}.
 */
public final class AnonymizationRules {
    private AnonymizationRules() {
    }

    /** The built-in rules covering the personal data of Odoo's standard modules. */
    public static AnonymizationRules defaults() {
        return new AnonymizationRules();
    }

    /** The defaults overridden by {@code file} (null: the defaults); a refusal names the file's field. */
    public static AnonymizationRules load(java.nio.file.Path file) {
        return new AnonymizationRules();
    }
}
