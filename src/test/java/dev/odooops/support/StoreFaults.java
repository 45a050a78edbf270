package dev.odooops.support;

import org.gaul.s3proxy.blobstore.BlobStore;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Faults injected into the S3 endpoint's blob store, behind the real S3 protocol: the client sees what a
 * failing store answers (HTTP 503, which the client retries) or a slow one. A fault is set per blob-store
 * operation ({@code putBlob}, {@code uploadMultipartPart}, {@code completeMultipartUpload}, {@code blobMetadata},
 * {@code getBlob}, {@code removeBlob}, {@code list} ...): fail the next N calls, or delay every call.
 */
public final class StoreFaults {
    private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    private final Map<String, Long> delays = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    public BlobStore wrap(BlobStore real) {
        InvocationHandler h = (proxy, method, args) -> {
            String op = method.getName();
            calls.computeIfAbsent(op, k -> new AtomicInteger()).incrementAndGet();
            Long delay = delays.get(op);
            if (delay != null) Thread.sleep(delay); // the fault itself: a store that answers late (not a wait of a test)
            AtomicInteger left = failures.get(op);
            if (left != null && left.getAndUpdate(n -> n > 0 ? n - 1 : n) > 0) {
                // what an overloaded S3 answers (503 Slow Down is retryable, as is 500 InternalError)
                throw org.gaul.s3proxy.blobstore.S3Exceptions.fromStatusCode(503);
            }
            try {
                return method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (BlobStore) Proxy.newProxyInstance(BlobStore.class.getClassLoader(), new Class<?>[]{BlobStore.class}, h);
    }

    /** The next {@code times} calls of {@code operation} fail (Integer.MAX_VALUE: until cleared). */
    public StoreFaults fail(String operation, int times) {
        failures.put(operation, new AtomicInteger(times));
        return this;
    }

    /** Every call of {@code operation} takes {@code millis} longer. */
    public StoreFaults delay(String operation, long millis) {
        delays.put(operation, millis);
        return this;
    }

    public void clear() {
        failures.clear();
        delays.clear();
    }

    public int calls(String operation) {
        AtomicInteger n = calls.get(operation);
        return n == null ? 0 : n.get();
    }
}
