package dev.odooops.config;

import java.net.URI;
import java.nio.file.Path;

/** Where artifacts go: an S3-compatible bucket, or a local directory. */
public record StoreConfig(String type, S3 s3, Path localPath) {

    public record S3(String bucket, String prefix, String region, URI endpoint, Secret accessKeyId,
                     Secret secretAccessKey) {
    }

    public boolean isS3() {
        return "s3".equals(type);
    }
}
