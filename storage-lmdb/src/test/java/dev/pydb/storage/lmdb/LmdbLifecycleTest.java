package dev.pydb.storage.lmdb;

import static dev.pydb.storage.lmdb.LmdbTestStorages.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageClosedException;
import dev.pydb.api.storage.StorageProvider;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Opening, closing under load, use after close, reader slots, the context class loader. */
final class LmdbLifecycleTest {
    private static final String DB = "life";

    @TempDir
    Path tempDir;

    @Test
    void closeWaitsForAnInFlightReaderThenRefusesNewOnes() throws Exception {
        LmdbStorage storage = LmdbTestStorages.open(tempDir.resolve("data"));
        storage.createDatabase(DB);
        storage.put(DB, "k", body("{\"n\":1}"), Storage.ANY_REVISION);
        CountDownLatch readerInside = new CountDownLatch(1);
        CountDownLatch releaseReader = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Long> reader = threads.submit(() -> storage.read(context -> {
                readerInside.countDown();
                awaitUninterruptibly(releaseReader);
                // the environment must still be open: lmdbjava would throw if it were closed
                return context.txn().getId();
            }));
            assertThat(readerInside.await(10, TimeUnit.SECONDS)).isTrue();
            Thread closer = Thread.ofPlatform().name("closer").start(storage::close);
            await().atMost(Duration.ofSeconds(10)).until(() -> closer.getState() == Thread.State.WAITING);
            assertThat(closer.isAlive()).as("close must wait for the reader").isTrue();
            assertThatThrownBy(() -> storage.get(DB, "k")).isInstanceOf(StorageClosedException.class);

            releaseReader.countDown();

            assertThat(reader.get(10, TimeUnit.SECONDS)).isPositive();
            closer.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(closer.isAlive()).isFalse();
        }
        assertThatThrownBy(() -> storage.get(DB, "k")).isInstanceOf(StorageClosedException.class)
                .extracting(e -> ((PydbException) e).code()).isEqualTo(ErrorCode.UNAVAILABLE);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void closeWhileVirtualThreadsReadAndWriteNeverCrashes() throws Exception {
        LmdbStorage storage = LmdbTestStorages.open(tempDir.resolve("data"));
        storage.createDatabase(DB);
        for (int i = 0; i < 50; i++) {
            storage.put(DB, "k" + i, body("{\"n\":" + i + "}"), Storage.ANY_REVISION);
        }
        AtomicLong reads = new AtomicLong();
        AtomicBoolean closed = new AtomicBoolean();
        List<Throwable> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch running = new CountDownLatch(32);
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 32; t++) {
                int thread = t;
                threads.submit(() -> {
                    running.countDown();
                    // all 32 start before any of them loops: virtual threads that never block can
                    // keep the carriers from picking up newly submitted ones (this took 16 minutes once)
                    awaitUninterruptibly(go);
                    for (int i = 0; ; i++) {
                        try {
                            if (thread % 4 == 0) {
                                storage.put(DB, "w" + thread + "-" + i, body("{}"), Storage.ANY_REVISION);
                            } else {
                                storage.scan(DB, null, 20);
                                storage.get(DB, "k" + (i % 50)).orElseThrow();
                            }
                            reads.incrementAndGet();
                            // virtual threads are not preempted, and pooled reads never block: without
                            // this, two reading threads would keep the other 30 from ever starting
                            Thread.yield();
                        } catch (StorageClosedException e) {
                            if (!closed.get()) {
                                unexpected.add(e);
                            }
                            return;
                        } catch (RuntimeException e) {
                            unexpected.add(e);
                            return;
                        }
                    }
                });
            }
            awaitUninterruptibly(running);
            go.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> reads.get() > 500);
            closed.set(true);
            storage.close();
        }
        assertThat(unexpected).isEmpty();
        storage.close();
    }

    @Test
    void moreConcurrentReadersThanReaderSlotsWaitForASlot() throws Exception {
        try (LmdbStorage storage = LmdbTestStorages.open(tempDir.resolve("data"),
                LmdbTestStorages.options().put("max_readers", 2))) {
            storage.createDatabase(DB);
            storage.put(DB, "k", body("{\"n\":1}"), Storage.ANY_REVISION);
            CountDownLatch allInside = new CountDownLatch(2);
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<Long>> results = new ArrayList<>();
                for (int t = 0; t < 64; t++) {
                    results.add(threads.submit(() -> storage.read(context -> {
                        allInside.countDown();
                        awaitUninterruptibly(allInside);
                        return context.txn().getId();
                    })));
                }
                for (Future<Long> result : results) {
                    assertThat(result.get(20, TimeUnit.SECONDS)).isPositive();
                }
                for (int t = 0; t < 64; t++) {
                    results.add(threads.submit(() -> storage.get(DB, "k").orElseThrow().rev()));
                }
                for (Future<Long> result : results) {
                    assertThat(result.get(20, TimeUnit.SECONDS)).isPositive();
                }
            }
        }
    }

    @Test
    void aPathIsOpenOnlyOncePerProcess() {
        Path path = tempDir.resolve("data");
        LmdbStorage first = LmdbTestStorages.open(path);
        try {
            assertThatThrownBy(() -> LmdbTestStorages.open(path))
                    .isInstanceOf(PydbException.class)
                    .hasMessageContaining("already open in this process")
                    .extracting(e -> ((PydbException) e).code()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThatThrownBy(() -> LmdbTestStorages.open(path.resolve("..").resolve("data")))
                    .isInstanceOf(PydbException.class);
            first.createDatabase(DB);
        } finally {
            first.close();
        }
        try (LmdbStorage second = LmdbTestStorages.open(path)) {
            assertThat(second.listDatabases()).containsExactly(DB);
        }
    }

    @Test
    void opensWithAContextClassLoaderThatCannotSeeLmdbjavaAndRestoresIt() {
        ClassLoader original = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
            Thread.currentThread().setContextClassLoader(empty);
            try (LmdbStorage storage = LmdbTestStorages.open(tempDir.resolve("data"))) {
                storage.createDatabase(DB);
                assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(empty);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            Thread.currentThread().setContextClassLoader(original);
        }
    }

    @Test
    void theProviderIsFoundByServiceLoader() {
        assertThat(ServiceLoader.load(StorageProvider.class).stream().map(p -> p.get().name()))
                .contains("lmdb");
        assertThat(new LmdbStorageProvider().name()).isEqualTo("lmdb");
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            if (!latch.await(20, TimeUnit.SECONDS)) {
                throw new AssertionError("latch not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
