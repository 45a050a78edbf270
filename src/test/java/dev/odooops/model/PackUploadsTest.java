package dev.odooops.model;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The uploads a packed backup starts while its filestore half still writes packs: one after the other in the order
 * started, and a failed run's wait leaves none running and drops those not begun (no database, no store).
 */
@Tag("fast")
class PackUploadsTest {
    private static PackUploads job() {
        return new PackUploads();
    }

    @Test
    void should_upload_one_pack_after_the_other_in_the_order_started() throws Exception {
        PackUploads job = job();
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            List<String> order = new CopyOnWriteArrayList<>();
            for (String name : List.of("a", "b", "c")) {
                job.start(name, () -> {
                    order.add(name + ":start");
                    order.add(name + ":end");
                    return new String[] {"1", name};
                }, pool);
            }
            assertArrayEquals(new String[] {"1", "c"}, job.of("c").get(10, TimeUnit.SECONDS));
            assertEquals(List.of("a:start", "a:end", "b:start", "b:end", "c:start", "c:end"), order);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void should_wait_for_the_running_upload_and_drop_those_not_begun_when_the_run_fails() throws Exception {
        PackUploads job = job();
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicBoolean firstEnded = new AtomicBoolean();
            AtomicBoolean secondRan = new AtomicBoolean();
            job.start("a", () -> {
                running.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                firstEnded.set(true);
                return new String[] {"1", "a"};
            }, pool);
            job.start("b", () -> {
                secondRan.set(true);
                return new String[] {"1", "b"};
            }, pool);
            assertTrue(running.await(10, TimeUnit.SECONDS));
            Thread waiter = new Thread(job::stop);
            waiter.start();
            waiter.join(300);
            assertTrue(waiter.isAlive(), "the wait lasts while an upload runs");
            release.countDown();
            waiter.join(10_000);
            assertTrue(!waiter.isAlive() && firstEnded.get(), "the running upload ended before the wait did");
            CompletionException dropped = assertThrows(CompletionException.class, () -> job.of("b").join());
            assertInstanceOf(CancellationException.class, dropped.getCause());
            assertTrue(!secondRan.get(), "an upload not begun is dropped");
        } finally {
            pool.shutdownNow();
        }
    }
}
