package dev.odooops.model;

import java.util.Arrays;
import java.util.stream.Collectors;
import dev.odooops.domain.RequestRejected;

/** What a backup contains. */
public enum BackupType {
    FULL("full", true, true), DB_ONLY("db_only", true, false), FILESTORE_ONLY("filestore_only", false, true);

    private final String wire;
    private final boolean database;
    private final boolean filestore;

    BackupType(String wire, boolean database, boolean filestore) {
        this.wire = wire;
        this.database = database;
        this.filestore = filestore;
    }

    public String wire() {
        return wire;
    }

    public boolean includesDatabase() {
        return database;
    }

    public boolean includesFilestore() {
        return filestore;
    }

    public static BackupType parse(String field, String value) {
        for (BackupType t : values()) if (t.wire.equals(value)) return t;
        throw new RequestRejected(field, "must be one of " + allowed() + ", got '" + value + "'");
    }

    public static String allowed() {
        return Arrays.stream(values()).map(BackupType::wire).collect(Collectors.joining("|"));
    }
}
