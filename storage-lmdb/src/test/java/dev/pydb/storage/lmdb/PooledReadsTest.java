package dev.pydb.storage.lmdb;

import static dev.pydb.storage.lmdb.LmdbTestStorages.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Storage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads reuse pooled read transactions and key buffers, and still see every commit. */
final class PooledReadsTest {
    private static final String DB = "pool";

    @TempDir
    Path tempDir;

    @Test
    void sequentialReadsReuseOneTransactionAndSeeTheLatestCommit() {
        try (LmdbStorage storage = LmdbTestStorages.open(tempDir.resolve("data"))) {
            storage.createDatabase(DB);
            for (int rev = 1; rev <= 5; rev++) {
                storage.put(DB, "k", body("{\"n\":" + rev + "}"), Storage.ANY_REVISION);

                assertThat(storage.get(DB, "k").orElseThrow().rev()).isEqualTo(rev);
                assertThat(storage.scan(DB, null, 10)).hasSize(1);
            }
            assertThat(storage.idleReadContexts()).isEqualTo(1);
        }
    }

    @Test
    void aReadThatFailsForTheRequestGivesItsTransactionBack() {
        try (LmdbStorage storage = LmdbTestStorages.open(tempDir.resolve("data"))) {
            storage.createDatabase(DB);
            storage.put(DB, "k", body("{}"), Storage.ANY_REVISION);

            assertThatThrownBy(() -> storage.get("missing", "k"))
                    .isInstanceOfSatisfying(PydbException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.DB_NOT_FOUND));
            assertThatThrownBy(() -> storage.get(DB, "x".repeat(256)))
                    .isInstanceOfSatisfying(PydbException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED));

            assertThat(storage.idleReadContexts()).isEqualTo(1);
            assertThat(storage.get(DB, "k")).isPresent();
        }
    }

    @Test
    void aReadThatFailsOtherwiseClosesItsTransaction() {
        try (LmdbStorage storage = LmdbTestStorages.open(tempDir.resolve("data"))) {
            storage.createDatabase(DB);
            assertThat(storage.count(DB)).isZero();

            assertThatThrownBy(() -> storage.read(context -> {
                throw new IllegalStateException("boom");
            })).hasMessage("boom");

            assertThat(storage.idleReadContexts()).isZero();
            assertThat(storage.count(DB)).isZero();
            assertThat(storage.idleReadContexts()).isEqualTo(1);
        }
    }

    @Test
    void thePoolHoldsNoMoreTransactionsThanReaderSlots() throws Exception {
        try (LmdbStorage storage = LmdbTestStorages.open(tempDir.resolve("data"),
                LmdbTestStorages.options().put("max_readers", 2))) {
            storage.createDatabase(DB);
            storage.put(DB, "k", body("{}"), Storage.ANY_REVISION);
            CountDownLatch bothInside = new CountDownLatch(2);
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<Long>> reads = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    reads.add(threads.submit(() -> storage.read(context -> {
                        bothInside.countDown();
                        awaitUninterruptibly(bothInside);
                        return context.txn().getId();
                    })));
                }
                for (int t = 0; t < 64; t++) {
                    reads.add(threads.submit(() -> storage.get(DB, "k").orElseThrow().rev()));
                }
                for (Future<Long> read : reads) {
                    assertThat(read.get(20, TimeUnit.SECONDS)).isPositive();
                }
            }
            assertThat(storage.idleReadContexts()).isEqualTo(2);
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
