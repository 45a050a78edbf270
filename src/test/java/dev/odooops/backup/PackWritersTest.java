package dev.odooops.backup;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PackWriters: packs written several at a time, results in the order asked, failures at once, nothing left after close. */
@Tag("fast")
class PackWritersTest {
    @Test
    void should_write_packs_side_by_side_and_give_each_its_own_result() throws Exception {
        CountDownLatch both = new CountDownLatch(2);
        List<Future<String>> written = new ArrayList<>();
        try (PackWriters writers = new PackWriters(2)) {
            for (String id : new String[]{"0001", "0002"}) {
                written.add(writers.submit(() -> {
                    both.countDown();
                    // each waits for the other: only two writers at once get past this
                    assertTrue(both.await(10, TimeUnit.SECONDS), "the two packs were not written at the same time");
                    return id;
                }));
            }
            assertEquals("0001", PackWriters.result(written.get(0)));
            assertEquals("0002", PackWriters.result(written.get(1)));
        }
    }

    @Test
    void should_hold_back_planning_while_two_packs_per_writer_wait() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger submitted = new AtomicInteger();
        try (PackWriters writers = new PackWriters(1)) {
            Thread planner = new Thread(() -> {
                try {
                    for (int i = 0; i < 3; i++) {
                        writers.submit(() -> release.await(10, TimeUnit.SECONDS));
                        submitted.incrementAndGet();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            planner.start();
            // the first two go through at once; the third stays held while both wait (however slow this machine is)
            long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (submitted.get() < 2 && System.nanoTime() < until) Thread.onSpinWait();
            assertEquals(2, submitted.get(), "the first two packs were not accepted");
            planner.join(300);
            assertEquals(2, submitted.get(), "one writer: the third pack waits until one of the first two is written");
            assertTrue(planner.isAlive(), "the planner went past the third pack");
            release.countDown();
            planner.join(10_000);
            assertEquals(3, submitted.get());
        }
    }

    @Test
    void should_fail_the_next_submission_with_a_failed_packs_own_exception() throws Exception {
        IOException tarFailed = new IOException("tar exited with 2: Cannot write: No space left on device");
        try (PackWriters writers = new PackWriters(2)) {
            Future<Object> failed = writers.submit(() -> {
                throw tarFailed;
            });
            while (!failed.isDone()) Thread.sleep(5);
            assertSame(tarFailed, assertThrows(IOException.class, () -> writers.submit(() -> "next")));
            assertSame(tarFailed, assertThrows(IOException.class, () -> PackWriters.result(failed)));
        }
    }

    @Test
    void should_drop_the_packs_not_begun_and_wait_for_the_one_being_written_when_closed() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        AtomicInteger ended = new AtomicInteger();
        AtomicInteger begun = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean closingSeen = new java.util.concurrent.atomic.AtomicBoolean();
        Future<Object> queued;
        try (PackWriters writers = new PackWriters(1)) {
            writers.submit(() -> {
                begun.incrementAndGet();
                running.countDown();
                Thread.sleep(300); // tar still writing when the backup fails
                closingSeen.set(writers.closing()); // then not sealed or uploaded (ArchiveFilestore)
                ended.incrementAndGet();
                return null;
            });
            queued = writers.submit(() -> begun.incrementAndGet());
            assertTrue(running.await(10, TimeUnit.SECONDS));
        }
        assertEquals(1, ended.get(), "close returned before the pack being written was");
        assertEquals(true, closingSeen.get(), "the pack being written when the backup failed did not see it closing");
        assertEquals(1, begun.get(), "a pack not begun was written after close");
        assertTrue(queued.isCancelled());
    }
}
