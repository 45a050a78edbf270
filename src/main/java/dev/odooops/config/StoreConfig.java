package dev.odooops.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * Where artifacts go: an S3-compatible bucket, or a local directory; and the stores they went to before
 * ({@code store.previous}), where the artifacts written then are still read, verified and pruned.
 *
 * @param name     what {@code store copy --to} and the reports call the store (the current one: {@code current}
 *                 unless named)
 * @param previous earlier stores, each with its own name (never the current store again; none of their own)
 */
public record StoreConfig(String name, String type, S3 s3, Path localPath, List<StoreConfig> previous) {
    public static final String CURRENT = "current";

    public StoreConfig {
        previous = previous == null ? List.of() : List.copyOf(previous);
    }

    public StoreConfig(String type, S3 s3, Path localPath) {
        this(CURRENT, type, s3, localPath, List.of());
    }

    public record S3(String bucket, String prefix, String region, URI endpoint, Secret accessKeyId,
                     Secret secretAccessKey) {
    }

    public boolean isS3() {
        return "s3".equals(type);
    }

    /** This store, then the previous ones, in the order configured. */
    public List<StoreConfig> all() {
        List<StoreConfig> out = new java.util.ArrayList<>();
        out.add(this);
        out.addAll(previous);
        return out;
    }

    /** Where this store keeps artifacts, for messages: s3://bucket/prefix/ or the directory. */
    public String where() {
        return isS3() ? "s3://" + s3.bucket() + "/" + (s3.prefix().isEmpty() ? "" : s3.prefix() + "/") : localPath.toString();
    }
}
