package dev.odooops.store;

import dev.odooops.config.StoreConfig;
import org.apache.camel.ProducerTemplate;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The store an artifact was written to, from the URI recorded with it ({@code s3://bucket/prefix/<project>/<env>/<id>/}
 * or {@code file:///root/<project>/<env>/<id>/}), not from the store configured now: after the store type,
 * bucket, prefix or directory changed, old artifacts are still deleted where they are.
 * <ul>
 *   <li>s3: the configured S3 endpoint and credentials, with the URI's bucket and prefix; when no S3 store is
 *   configured any more, the URI cannot be reached;</li>
 *   <li>file: the directory three levels above the artifact folder is the store root; it must exist (a backup
 *   disk that is not mounted is unreachable, not empty).</li>
 * </ul>
 * An unreachable store throws {@link StoreException}: the caller must not treat the artifact as deleted.
 */
public class StoreLocator {
    /** A store and the artifact folder in it. */
    public record Location(ArtifactStore store, String artifactPath) {
    }

    private final StoreConfig config;
    private final ArtifactStore current;
    private final ProducerTemplate template;
    private final long partSize;

    public StoreLocator(StoreConfig config, ArtifactStore current, ProducerTemplate template, long partSize) {
        this.config = config;
        this.current = current;
        this.template = template;
        this.partSize = partSize;
    }

    public Location locate(String uri, String artifactId) {
        URI u;
        try {
            u = URI.create(uri);
        } catch (IllegalArgumentException e) {
            throw new StoreException("artifact " + artifactId + ": not a store URI: " + uri);
        }
        if ("s3".equals(u.getScheme())) return s3(u, uri, artifactId);
        if ("file".equals(u.getScheme())) return local(u, uri, artifactId);
        throw new StoreException("artifact " + artifactId + ": unsupported store URI scheme in " + uri);
    }

    private Location s3(URI u, String uri, String artifactId) {
        List<String> segments = segments(u.getPath());
        checkFolder(segments, uri, artifactId);
        if (!config.isS3()) {
            throw new StoreException("artifact " + artifactId + " is in " + uri + " but no S3 store is configured to reach it");
        }
        String bucket = u.getHost();
        String prefix = String.join("/", segments.subList(0, segments.size() - 3));
        String path = String.join("/", segments.subList(segments.size() - 3, segments.size()));
        StoreConfig.S3 s3 = config.s3();
        if (bucket.equals(s3.bucket()) && prefix.equals(s3.prefix())) return new Location(current, path);
        StoreConfig.S3 there = new StoreConfig.S3(bucket, prefix, s3.region(), s3.endpoint(), s3.accessKeyId(),
                s3.secretAccessKey());
        return new Location(new S3ArtifactStore(template, there, partSize), path);
    }

    private Location local(URI u, String uri, String artifactId) {
        Path folder = Path.of(u);
        List<String> segments = segments(u.getPath());
        checkFolder(segments, uri, artifactId);
        Path root = folder.getParent().getParent().getParent();
        String path = String.join("/", segments.subList(segments.size() - 3, segments.size()));
        if (!Files.isDirectory(root)) {
            throw new StoreException("artifact " + artifactId + ": the store directory " + root + " cannot be reached "
                    + "(missing or not mounted)");
        }
        if (!config.isS3() && root.equals(config.localPath())) return new Location(current, path);
        return new Location(new LocalArtifactStore(root), path);
    }

    private static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        if (path != null) Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).forEach(out::add);
        return out;
    }

    private static void checkFolder(List<String> segments, String uri, String artifactId) {
        if (segments.size() < 3 || !segments.get(segments.size() - 1).equals(artifactId)) {
            throw new StoreException("artifact " + artifactId + ": " + uri + " is not <store>/<project>/<env>/" + artifactId + "/");
        }
    }
}
