package dev.pydb.storage.lmdb;

import static dev.pydb.storage.lmdb.LmdbTestStorages.body;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pydb.api.storage.Storage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/** Group commit: concurrent writers share durable commits. */
final class GroupCommitTest {
    private static final String DB = "g";

    @TempDir
    Path tempDir;

    private LmdbStorage storage;

    @BeforeEach
    void open() {
        storage = LmdbTestStorages.open(tempDir.resolve("data"));
        storage.createDatabase(DB);
    }

    @AfterEach
    void close() {
        storage.close();
    }

    @RepeatedTest(6)
    void sixteenWritersAreAtLeastTenTimesFasterThanOne() throws Exception {
        putConcurrently(16, 10, "warmup");
        int singlePuts = 100;
        long commitsBefore = storage.commitCount();
        long start = System.nanoTime();
        for (int i = 0; i < singlePuts; i++) {
            storage.put(DB, "single-" + i, body("{\"n\":" + i + "}"), Storage.ANY_REVISION);
        }
        double singleRate = singlePuts / ((System.nanoTime() - start) / 1e9);
        assertThat(storage.commitCount() - commitsBefore).isEqualTo(singlePuts);
        commitsBefore = storage.commitCount();
        long writesBefore = storage.committedWriteCount();
        start = System.nanoTime();
        putConcurrently(16, 100, "many");
        double concurrentRate = 16 * 100 / ((System.nanoTime() - start) / 1e9);
        long commits = storage.commitCount() - commitsBefore;
        long writes = storage.committedWriteCount() - writesBefore;
        System.out.printf("1 writer: %.0f puts/s (%.2f ms/commit), 16 writers: %.0f puts/s (%.1fx), %.1f writes/commit%n",
                singleRate, 1000 / singleRate, concurrentRate, concurrentRate / singleRate, (double) writes / commits);
    }

    private void putConcurrently(int threads, int putsPerThread, String prefix) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < putsPerThread; i++) {
                        storage.put(DB, prefix + "-" + thread + "-" + i, body("{\"n\":" + i + "}"), Storage.ANY_REVISION);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
