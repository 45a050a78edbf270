package dev.odooops.store;

import dev.odooops.config.StoreConfig;
import dev.odooops.domain.PrivateFiles;
import org.apache.camel.ProducerTemplate;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The store an artifact (or a pack) was written to, from the URI recorded with it ({@code s3://bucket/prefix/<project>/<env>/<id>/},
 * {@code file:///root/<project>/<env>/<id>/}, a pack's {@code .../<project>/_packs/<id>.tar.zst}), not from the store
 * configured now: after the store type, bucket, prefix or directory changed, old artifacts are still read, verified and
 * deleted where they are.
 * <ul>
 *   <li>a configured store (the current one or one of {@code store.previous}) whose bucket and prefix, or directory,
 *   is the URI's: that store, with its own endpoint and credentials;</li>
 *   <li>else s3: the current S3 store's endpoint and credentials with the URI's bucket and prefix (a prefix changed on
 *   the same server); when no S3 store is configured, the URI cannot be reached;</li>
 *   <li>else file: the directory above the artifact folder's {@code <project>/<env>} is the store root; it must exist
 *   (a backup disk that is not mounted is unreachable, not empty).</li>
 * </ul>
 * An unreachable store throws {@link StoreException}: the caller must not treat the artifact as deleted.
 */
public class StoreLocator {
    /** A store and the artifact folder (or the project's packs folder) in it. */
    public record Location(ArtifactStore store, String artifactPath) {
    }

    /** A pack's store, its packs folder and its object's name. */
    public record PackLocation(ArtifactStore store, String packsPath, String name) {
    }

    private final StoreConfig config;
    private final ArtifactStore current;
    private final ProducerTemplate template;
    private final long partSize;
    private final PrivateFiles files;
    private final Map<String, ArtifactStore> byName = new ConcurrentHashMap<>();
    private final ArtifactCipher cipher;

    public StoreLocator(StoreConfig config, ArtifactStore current, ProducerTemplate template, long partSize) {
        this(config, current, template, partSize, PrivateFiles.OWNER_ONLY);
    }

    public StoreLocator(StoreConfig config, ArtifactStore current, ProducerTemplate template, long partSize, PrivateFiles files) {
        this(config, current, template, partSize, files, ArtifactCipher.plain());
    }

    /** {@code cipher}: what every reader of stored objects decrypts them with ({@link #cipher()}). */
    public StoreLocator(StoreConfig config, ArtifactStore current, ProducerTemplate template, long partSize, PrivateFiles files,
                        ArtifactCipher cipher) {
        this.cipher = cipher;
        this.config = config;
        this.current = current;
        this.template = template;
        this.partSize = partSize;
        this.files = files;
        byName.put(config.name(), current);
    }

    /**
     * The cipher of the stored objects: whoever reads an object's content (restore, verify --read-data, repack, the
     * staging loaders) decrypts it through this one, with the identity of the object's project. Copying, listing,
     * checking sums and deleting need no key.
     */
    public ArtifactCipher cipher() {
        return cipher;
    }

    /** The store new artifacts go to. */
    public ArtifactStore current() {
        return current;
    }

    public StoreConfig config() {
        return config;
    }

    /** A configured store (the current one or a previous one) by name, or null when none has that name. */
    public ArtifactStore named(String name) {
        for (StoreConfig s : config.all()) {
            if (s.name().equals(name)) return byName.computeIfAbsent(name, n -> open(s));
        }
        return null;
    }

    /** The name of the configured store holding this URI, or null when none does. */
    public String nameOf(String uri) {
        for (StoreConfig s : config.all()) if (holds(s, uri)) return s.name();
        return null;
    }

    public Location locate(String uri, String artifactId) {
        URI u = parse(uri, "artifact " + artifactId);
        List<String> segments = segments(u.getPath());
        if (segments.size() < 3 || !segments.get(segments.size() - 1).equals(artifactId)) {
            throw new StoreException("artifact " + artifactId + ": " + uri + " is not <store>/<project>/<env>/" + artifactId + "/");
        }
        return new Location(root(u, uri, segments, 3, "artifact " + artifactId), tail(segments, 3));
    }

    /** The store of a pack from its recorded URI ({@code <store>/<project>/_packs/<id>.tar.zst}). */
    public PackLocation locatePack(String uri, String packId) {
        URI u = parse(uri, "pack " + packId);
        List<String> segments = segments(u.getPath());
        if (segments.size() < 3 || !segments.get(segments.size() - 2).equals(ArtifactStore.PACKS)
                || !segments.get(segments.size() - 1).equals(packId + ".tar.zst")) {
            throw new StoreException("pack " + packId + ": " + uri + " is not <store>/<project>/" + ArtifactStore.PACKS + "/"
                    + packId + ".tar.zst");
        }
        ArtifactStore store = root(u, uri, segments.subList(0, segments.size() - 1), 2, "pack " + packId);
        return new PackLocation(store, tail(segments.subList(0, segments.size() - 1), 2), packId + ".tar.zst");
    }

    /** A pack of the project at its recorded URI; in the current store when none is recorded (an older catalog row). */
    public PackLocation pack(String project, String packId, String uri) {
        if (uri == null || uri.isBlank()) return new PackLocation(current, ArtifactStore.packsPath(project), packId + ".tar.zst");
        return locatePack(uri, packId);
    }

    private static URI parse(String uri, String what) {
        try {
            URI u = URI.create(uri);
            if ("s3".equals(u.getScheme()) || "file".equals(u.getScheme())) return u;
        } catch (IllegalArgumentException e) {
            // named below
        }
        throw new StoreException(what + ": not a store URI (s3:// or file://): " + uri);
    }

    /** The store whose root is the URI's folder less its last {@code depth} segments. */
    private ArtifactStore root(URI u, String uri, List<String> segments, int depth, String what) {
        String rootPath = String.join("/", segments.subList(0, segments.size() - depth));
        for (StoreConfig s : config.all()) {
            if (sameRoot(s, u, rootPath)) return named(s.name());
        }
        if ("s3".equals(u.getScheme())) {
            StoreConfig s3 = config.all().stream().filter(StoreConfig::isS3).findFirst().orElseThrow(() ->
                    new StoreException(what + " is in " + uri + " but no S3 store is configured to reach it (store.previous)"));
            StoreConfig.S3 c = s3.s3();
            return byName.computeIfAbsent("s3:" + u.getHost() + "/" + rootPath, k -> new S3ArtifactStore(template,
                    new StoreConfig.S3(u.getHost(), rootPath, c.region(), c.endpoint(), c.accessKeyId(), c.secretAccessKey()),
                    partSize, clientBean(s3)));
        }
        Path root = Path.of("/" + rootPath);
        if (!Files.isDirectory(root)) throw LocalArtifactStore.unreachable(root, what, null);
        return byName.computeIfAbsent("file:" + root, k -> new LocalArtifactStore(root, files));
    }

    private static boolean sameRoot(StoreConfig s, URI u, String rootPath) {
        if ("s3".equals(u.getScheme())) return s.isS3() && s.s3().bucket().equals(u.getHost()) && s.s3().prefix().equals(rootPath);
        return !s.isS3() && s.localPath().equals(Path.of("/" + rootPath));
    }

    private static boolean holds(StoreConfig s, String uri) {
        URI u;
        try {
            u = URI.create(uri);
        } catch (IllegalArgumentException e) {
            return false;
        }
        List<String> segments = segments(u.getPath());
        if ("s3".equals(u.getScheme())) {
            if (!s.isS3() || !s.s3().bucket().equals(u.getHost())) return false;
            List<String> prefix = segments(s.s3().prefix());
            return segments.size() > prefix.size() && segments.subList(0, prefix.size()).equals(prefix);
        }
        return "file".equals(u.getScheme()) && !s.isS3() && Path.of(u.getPath()).startsWith(s.localPath())
                && !Path.of(u.getPath()).equals(s.localPath());
    }

    private ArtifactStore open(StoreConfig s) {
        if (!s.isS3()) return new LocalArtifactStore(s.localPath(), files);
        return new S3ArtifactStore(template, s.s3(), partSize, clientBean(s));
    }

    /** The current store's client is bound at start; a previous S3 store's own client on first use. */
    private String clientBean(StoreConfig s) {
        if (s == config) return S3ArtifactStore.CLIENT_BEAN;
        String bean = S3ArtifactStore.CLIENT_BEAN + "-" + s.name();
        var registry = template.getCamelContext().getRegistry();
        synchronized (this) {
            if (registry.lookupByNameAndType(bean, S3Client.class) == null) registry.bind(bean, S3ArtifactStore.client(s.s3()));
        }
        return bean;
    }

    private static String tail(List<String> segments, int depth) {
        return String.join("/", segments.subList(segments.size() - depth, segments.size()));
    }

    private static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        if (path != null) Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).forEach(out::add);
        return out;
    }
}
