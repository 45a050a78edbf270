package dev.odooops.store;

/**
 * zstd's library (zstd-jni) in this JVM: packs are written and read in process where it loads, and by {@code tar
 * --zstd} where it does not (it unpacks its native part into the JVM's temporary directory, which a {@code noexec}
 * mount refuses). Tried once; the failure is logged once.
 */
public final class ZstdLibrary {
    private static volatile Boolean available;
    private static volatile String unavailableBecause = "";

    private ZstdLibrary() {
    }

    /** Whether the library loads here. */
    public static boolean available() {
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
        return unavailableBecause;
    }

    /** The library's version, as the evidence names it. */
    public static String version() {
        return com.github.luben.zstd.util.ZstdVersion.VERSION;
    }
}
