package dev.odooops.store;

import dev.odooops.config.StoreConfig;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.aws2.s3.AWS2S3Constants;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Artifacts in any S3-compatible bucket, through camel-aws2-s3 endpoints. Files larger than the part size
 * go up as multipart uploads (a failed multipart upload is aborted by the component, leaving no object; one
 * whose process was killed is aborted by {@link #abortIncompleteUploads} when its run is swept).
 * Object metadata carries nothing but what the component sets: no secret, no label.
 */
public class S3ArtifactStore implements ArtifactStore {
    public static final String CLIENT_BEAN = "s3Client";
    private final ProducerTemplate template;
    private final StoreConfig.S3 config;
    private final long partSize;
    private final String clientBean;

    public S3ArtifactStore(ProducerTemplate template, StoreConfig.S3 config, long partSize) {
        this(template, config, partSize, CLIENT_BEAN);
    }

    /** A store whose client (its endpoint and credentials) is bound under {@code clientBean}: a previous store's own. */
    public S3ArtifactStore(ProducerTemplate template, StoreConfig.S3 config, long partSize, String clientBean) {
        this.template = template;
        this.config = config;
        this.partSize = partSize;
        this.clientBean = clientBean;
    }

    /** The client bound as {@value #CLIENT_BEAN}; path-style addressing works with every S3-compatible server. */
    public static S3Client client(StoreConfig.S3 s3) {
        var builder = S3Client.builder()
                .region(Region.of(s3.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(s3.accessKeyId().reveal(), s3.secretAccessKey().reveal())))
                .forcePathStyle(true);
        if (s3.endpoint() != null) builder.endpointOverride(s3.endpoint());
        return builder.build();
    }

    private String endpoint(String operation) {
        return "aws2-s3://" + config.bucket() + "?amazonS3Client=#" + clientBean + "&autoCreateBucket=false"
                + (operation == null ? "" : "&operation=" + operation);
    }

    private String key(String artifactPath, String name) {
        String folder = artifactPath.isEmpty() ? "" : artifactPath + "/";
        return (config.prefix().isEmpty() ? "" : config.prefix() + "/") + folder + name;
    }

    @Override
    public String uri(String artifactPath) {
        return "s3://" + config.bucket() + "/" + key(artifactPath, "");
    }

    @Override
    public void put(String artifactPath, String name, Path file) {
        try {
            boolean multipart = Files.size(file) > partSize;
            String uri = multipart ? endpoint(null) + "&multiPartUpload=true&partSize=" + partSize : endpoint(null);
            send(uri, ex -> {
                ex.getMessage().setHeader(AWS2S3Constants.KEY, key(artifactPath, name));
                ex.getMessage().setHeader(AWS2S3Constants.CONTENT_LENGTH, Files.size(file));
                ex.getMessage().setBody(file.toFile());
            });
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public long size(String artifactPath, String name) {
        try {
            Exchange ex = send(endpoint("headObject"), e -> e.getMessage().setHeader(AWS2S3Constants.KEY, key(artifactPath, name)));
            Object body = ex.getMessage().getBody();
            if (body instanceof HeadObjectResponse h) return h.contentLength();
            Long len = ex.getMessage().getHeader(AWS2S3Constants.CONTENT_LENGTH, Long.class);
            return len == null ? -1 : len;
        } catch (StoreException e) {
            if (e.getCause() instanceof NoSuchKeyException
                    || (e.getCause() instanceof S3Exception s && s.statusCode() == 404)) return -1;
            throw e;
        }
    }

    @Override
    public InputStream open(String artifactPath, String name) {
        Exchange ex = send(endpoint("getObject"), e -> e.getMessage().setHeader(AWS2S3Constants.KEY, key(artifactPath, name)));
        return ex.getMessage().getBody(InputStream.class);
    }

    @Override
    public void delete(String artifactPath, String name) {
        send(endpoint("deleteObject"), e -> e.getMessage().setHeader(AWS2S3Constants.KEY, key(artifactPath, name)));
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<String> list(String artifactPath) {
        String prefix = key(artifactPath, "");
        Exchange ex = send(endpoint("listObjects"), e -> e.getMessage().setHeader(AWS2S3Constants.PREFIX, prefix));
        List<S3Object> objects = ex.getMessage().getBody(List.class);
        return objects == null ? List.of() : objects.stream().map(o -> o.key().substring(prefix.length())).sorted().toList();
    }

    /**
     * Lists the multipart uploads under the artifact folder's key prefix and aborts each (its stored parts are
     * freed). camel-aws2-s3 has no operation for listing multipart uploads, so this uses the bound client.
     */
    @Override
    public int abortIncompleteUploads(String artifactPath, String namePrefix) {
        String prefix = key(artifactPath, namePrefix);
        S3Client client = template.getCamelContext().getRegistry().lookupByNameAndType(clientBean, S3Client.class);
        if (client == null) throw new StoreException("no S3 client bound as " + clientBean);
        int aborted = 0;
        try {
            String keyMarker = null;
            String uploadIdMarker = null;
            while (true) {
                ListMultipartUploadsResponse page = client.listMultipartUploads(ListMultipartUploadsRequest.builder()
                        .bucket(config.bucket()).prefix(prefix).keyMarker(keyMarker).uploadIdMarker(uploadIdMarker).build());
                for (MultipartUpload u : page.uploads()) {
                    if (!u.key().startsWith(prefix)) continue;  // a server that ignores the prefix
                    client.abortMultipartUpload(AbortMultipartUploadRequest.builder().bucket(config.bucket())
                            .key(u.key()).uploadId(u.uploadId()).build());
                    aborted++;
                }
                if (!Boolean.TRUE.equals(page.isTruncated())) return aborted;
                keyMarker = page.nextKeyMarker();
                uploadIdMarker = page.nextUploadIdMarker();
            }
        } catch (SdkException e) {
            throw new StoreException("S3 abortMultipartUpload on bucket " + config.bucket() + " under " + prefix + " failed: "
                    + rootMessage(e), e);
        }
    }

    private Exchange send(String uri, org.apache.camel.Processor prepare) {
        Exchange ex = template.request(uri, prepare);
        if (ex.getException() != null) {
            Throwable cause = ex.getException();
            int op = uri.indexOf("operation=");
            String operation = op < 0 ? "putObject" : uri.substring(op + "operation=".length());
            throw new StoreException("S3 " + operation + " on bucket " + config.bucket() + " failed: " + rootMessage(cause), cause);
        }
        return ex;
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
