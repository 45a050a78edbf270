package dev.odooops.demo;

import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * A real S3 endpoint on loopback (s3proxy over a directory), for the demo and the tests. It speaks the S3
 * protocol with AWS v4 signatures, so the code under test uses the same client path as against AWS or MinIO.
 */
public final class EmbeddedS3 implements AutoCloseable {
    private final S3Proxy proxy;
    private final URI endpoint;

    private EmbeddedS3(S3Proxy proxy, URI endpoint) {
        this.proxy = proxy;
        this.endpoint = endpoint;
    }

    public static EmbeddedS3 start(Path dataDir, String bucket, String accessKey, String secretKey) throws Exception {
        return start(dataDir, bucket, accessKey, secretKey, java.util.function.UnaryOperator.identity());
    }

    /**
     * As {@link #start(Path, String, String, String)}, with the blob store behind the S3 protocol wrapped by
     * {@code wrap} (the tests inject faults there: the client still goes through real HTTP and signatures).
     */
    public static EmbeddedS3 start(Path dataDir, String bucket, String accessKey, String secretKey,
                                   java.util.function.UnaryOperator<org.gaul.s3proxy.blobstore.BlobStore> wrap) throws Exception {
        Files.createDirectories(dataDir);
        FilesystemNio2BlobStore blobs = new FilesystemNio2BlobStore(dataDir.toString());
        S3Proxy proxy = S3Proxy.builder().blobStore(wrap.apply(blobs)).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                .ignoreUnknownHeaders(true).build();
        proxy.start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (!"STARTED".equals(proxy.getState())) {
            if (Instant.now().isAfter(deadline)) throw new IOException("s3proxy did not start: " + proxy.getState());
            Thread.sleep(20);
        }
        if (!Files.isDirectory(dataDir.resolve(bucket))) blobs.createContainer(bucket);
        return new EmbeddedS3(proxy, URI.create("http://127.0.0.1:" + proxy.getPort()));
    }

    public URI endpoint() {
        return endpoint;
    }

    public int port() {
        return proxy.getPort();
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }
}
