package dev.odooops.domain;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What differs between the applications odoo-ops backs up: an environment's {@code app} (default odoo). Both are
 * a PostgreSQL database plus a directory of files, backed up and restored by the same steps with the same
 * guarantees and evidence; the profile says which tables are volatile, which files are left out, which key names
 * the configuration file and the control block, and which validations replace Odoo's own.
 * <ul>
 *   <li><b>odoo</b>: the filestore ({@code <data_dir>/filestore/<db>}), named by content ({@code <2 hex>/<sha1>});
 *   {@code odoo_conf} (INI); modules from {@code ir_module_module}; attachments from {@code ir_attachment}.</li>
 *   <li><b>dolibarr</b>: the documents directory ({@code $dolibarr_main_data_root}), files under their own names;
 *   {@code dolibarr_conf} ({@code htdocs/conf/conf.php}); enabled modules and the version from {@code llx_const};
 *   indexed documents from {@code llx_ecm_files}; every <code>*&#47;temp/*</code> (each module's {@code dir_temp}) is
 *   scratch space, and its log files at the top ({@code dolibarr.log} and its rotations), both left out of the
 *   fingerprint, the archive and the restored tree.</li>
 * </ul>
 */
public enum AppProfile {
    ODOO,
    DOLIBARR;

    /**
     * Odoo's tables whose writes do not make a backup necessary: its notification bus and presence, its cron
     * bookkeeping (last and next call, triggers, progress) and its login and device logs.
     */
    private static final Set<String> ODOO_VOLATILE = Set.of("bus_bus", "bus_presence", "mail_presence", "ir_cron",
            "ir_cron_trigger", "ir_cron_progress", "res_users_log", "res_device_log", "res_device");
    private static final java.util.regex.Pattern DOLIBARR_LOG =
            java.util.regex.Pattern.compile("dolibarr[A-Za-z0-9_.-]*\\.log(\\.[A-Za-z0-9]+)*");
    /**
     * Dolibarr's: only what normal use writes on every page or login: sessions kept in the database
     * ({@code llx_session}, when a module keeps them there) and the security event log {@code llx_events}. Its
     * settings are not: {@code llx_const} (numbering rules, enabled modules, the company), {@code llx_user} (accounts)
     * and {@code llx_cronjob} (job definitions) count as changes, so a setup change alone is backed up.
     */
    private static final Set<String> DOLIBARR_VOLATILE = Set.of("llx_events", "llx_session");
    /**
     * What Dolibarr writes as soon as it serves a page after a restore (constants such as the last ping, login dates,
     * the event log, sessions, cron bookkeeping): a restore's row count validation does not compare them.
     */
    private static final Set<String> DOLIBARR_WRITTEN_WHEN_SERVING = Set.of("llx_const", "llx_user", "llx_events",
            "llx_session", "llx_cronjob");

    /** The name used in the environments file, the manifest and evidence: {@code odoo} or {@code dolibarr}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The profile an environments file or a manifest names; null (absent) is odoo; anything else is refused. */
    public static AppProfile of(String key) {
        if (key == null) return ODOO;
        for (AppProfile p : values()) if (p.key().equals(key)) return p;
        throw new IllegalArgumentException("app: odoo or dolibarr expected, got " + key);
    }

    /**
     * The default volatile tables (the environments file's {@code volatile_tables} adds to them): only tables normal
     * use writes on every request (or the server's own cron bookkeeping, minutes apart), never settings. Their
     * writes alone do not call for a backup.
     */
    public Set<String> volatileTables() {
        return this == ODOO ? ODOO_VOLATILE : DOLIBARR_VOLATILE;
    }

    /** The tables the application writes as soon as it serves again: a restore's row counts do not compare them. */
    public Set<String> writtenWhenServing() {
        return this == ODOO ? ODOO_VOLATILE : DOLIBARR_WRITTEN_WHEN_SERVING;
    }

    /**
     * Whether a path below the files' root is left out of the inventory, the fingerprint and the archive: for
     * Dolibarr, anything below a directory named {@code temp} that is not at the top (<code>*&#47;temp/*</code>: a module's
     * {@code dir_temp}, also below a multicompany entity's directory, {@code 2/facture/temp/...}). The directory
     * {@code temp} itself is left out too, so a restore brings back none of it; a file named {@code temp} is not.
     *
     * @param directory whether the path is a directory (its last segment counts) or a file (it does not)
     */
    public boolean leftOut(String relativePath, boolean directory) {
        if (this != DOLIBARR) return false;
        // Dolibarr's own log files at the top (DOL_DATA_ROOT/dolibarr.log, its rotations, dolibarr_install.log):
        // written on every page, not documents
        if (!directory && ownLog(relativePath)) return true;
        String[] segments = relativePath.split("/");
        int dirs = directory ? segments.length : segments.length - 1;
        for (int i = 1; i < dirs; i++) if (segments[i].equals("temp")) return true;
        return false;
    }

    /**
     * Whether a path below the files' root is one of the application's own log files: for Dolibarr
     * {@code dolibarr.log}, its rotations and {@code dolibarr_install.log} at the top. Logs are never stored,
     * restored, replaced or removed: a restore's swap and a rollback carry them over to the live directory.
     */
    public boolean ownLog(String relativePath) {
        return this == DOLIBARR && DOLIBARR_LOG.matcher(relativePath).matches();
    }

    /**
     * Whether files are named by their content, so a name the store already holds need not be read: Odoo's
     * {@code <2 hex>/<sha1>}. Dolibarr rewrites documents under the same name (a regenerated PDF), so every file
     * is hashed.
     */
    public boolean namesByContent() {
        return this == ODOO;
    }

    /** The environments file's key of the application's configuration file. */
    public String confKey() {
        return key() + "_conf";
    }

    /** The environments file's key of the control block (quiesce, resume, stop, start, health, log, validate). */
    public String controlKey() {
        return key();
    }

    /** The configuration options whose change since the backup is critical in the restore's comparison. */
    public Set<String> criticalOptions() {
        return this == ODOO ? Set.of("addons_path", "data_dir", "db_name", "dbfilter", "server_wide_modules")
                : Set.of("dolibarr_main_data_root", "dolibarr_main_document_root", "dolibarr_main_document_root_alt",
                "dolibarr_main_db_name", "dolibarr_main_db_prefix", "dolibarr_main_db_type", "dolibarr_main_url_root");
    }

    /** Tables whose first rows a validation reads back whole; the first two must exist. */
    public List<String> sampleTables() {
        return this == ODOO ? List.of("res_partner", "res_users", "account_move")
                : List.of("llx_societe", "llx_user", "llx_facture");
    }

    /** What the files' directory is called in messages and docs. */
    public String filesName() {
        return this == ODOO ? "filestore" : "documents directory";
    }
}
