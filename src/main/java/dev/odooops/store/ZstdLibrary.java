package dev.odooops.store;

/**
 * zstd's library (zstd-jni) in this JVM: packs are written and read in process where it loads, and by {@code tar
 * --zstd} where it does not (it unpacks its native part into the JVM's temporary directory, which a {@code noexec}
 * mount refuses). Tried once; the failure is logged once. The JVM property {@code -Dodoo.ops.zstd-library=off}
 * (in {@code ODOO_OPS_JAVA_OPTS}) turns it off, so that packs are written and read by tar as where it cannot load.
 */
public final class ZstdLibrary {
    private static volatile Boolean available;
    private static volatile String unavailableBecause = "";
    /** The JVM property that turns the library off ({@code off}). */
    public static final String SWITCH = "odoo.ops.zstd-library";

    private ZstdLibrary() {
    }

    /** Whether the library loads here. */
    public static boolean available() {
        if (switchedOff()) return false;
        Boolean a = available;
        if (a == null) {
            synchronized (ZstdLibrary.class) {
                if (available == null) {
                    try {
                        com.github.luben.zstd.util.Native.load();
                        available = com.github.luben.zstd.util.Native.isLoaded();
                    } catch (LinkageError | RuntimeException e) {
                        available = false;
                        unavailableBecause = e.toString();
                        org.slf4j.LoggerFactory.getLogger(ZstdLibrary.class).warn(
                                "zstd's library cannot be loaded ({}): packs are written and read by tar --zstd", e.toString());
                    }
                }
                a = available;
            }
        }
        return a;
    }

    /** Why {@link #available} is false (empty while it is true). */
    public static String unavailableBecause() {
        return switchedOff() ? "turned off by -D" + SWITCH + "=off" : unavailableBecause;
    }

    private static boolean switchedOff() {
        return "off".equals(System.getProperty(SWITCH));
    }

    /** The library's version, as the evidence names it. */
    public static String version() {
        return com.github.luben.zstd.util.ZstdVersion.VERSION;
    }
}
