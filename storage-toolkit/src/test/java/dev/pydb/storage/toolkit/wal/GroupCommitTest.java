package dev.pydb.storage.toolkit.wal;

import static dev.pydb.storage.toolkit.wal.WalTesting.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Group commit: callers share one append and one fdatasync; validation sees pending requests; publication is in order, after the sync. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class GroupCommitTest {
    @TempDir
    Path tempDir;

    private final FaultInjectingChannels channels = new FaultInjectingChannels();
    private final RecordingBackend backend = new RecordingBackend();

    private WriteAheadLog open() {
        return WriteAheadLog.open(config(tempDir.resolve("wal")).channels(channels).build(), 0, backend.replayInto());
    }

    @Test
    void callersThatWaitTogetherShareOneSync() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(11);
        try (WriteAheadLog log = open()) {
            channels.holdForces();
            Future<Long> first = pool.submit(() -> log.commit(backend.append("first")));
            assertThat(channels.awaitForceEntered()).isTrue();
            long syncsBefore = log.syncCount();
            List<Future<Long>> others = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String text = "other " + i;
                others.add(pool.submit(() -> log.commit(backend.append(text))));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> log.queuedRequests() == 10);
            assertThat(backend.published).as("nothing is visible before its sync").isEmpty();
            channels.openForces();
            assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo(1);
            for (Future<Long> other : others) {
                assertThat(other.get(30, TimeUnit.SECONDS)).isBetween(2L, 11L);
            }
            assertThat(log.syncCount() - syncsBefore).as("one sync for the first, one for the ten").isEqualTo(2);
            RecordingBackend.assertContiguousFromOne(backend.published);
        } finally {
            channels.openForces();
            pool.shutdownNow();
        }
    }

    @Test
    void aLoneCallerLeadsItsOwnCommitOnItsOwnThread() {
        try (WriteAheadLog log = open()) {
            for (int i = 0; i < 5; i++) {
                log.commit(backend.append("alone " + i));
            }
            assertThat(backend.publishers).containsOnly(Thread.currentThread());
            assertThat(log.syncCount()).isEqualTo(5);
        }
    }

    @Test
    void checksSeeRequestsThatAreNotDurableYetAndReadersDoNot() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try (WriteAheadLog log = open()) {
            channels.holdForces();
            Future<Long> first = pool.submit(() -> log.commit(backend.set(0, 1)));
            assertThat(channels.awaitForceEntered()).isTrue();
            Future<Long> second = pool.submit(() -> log.commit(backend.set(1, 2))); // checked against the pending 1
            await().atMost(Duration.ofSeconds(30)).until(() -> log.queuedRequests() == 1);
            Future<Long> stale = pool.submit(() -> log.commit(backend.set(0, 5))); // would pass against the published 0
            await().atMost(Duration.ofSeconds(30)).until(() -> log.queuedRequests() == 2);
            assertThat(backend.value()).as("readers see only durable values").isZero();
            assertThat(stale).as("a refusal is answered in order, after what it was checked against").isNotDone();
            channels.openForces();
            assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(second.get(30, TimeUnit.SECONDS)).as("the refused request used no sequence number").isEqualTo(2);
            Throwable refused = catchThrowableOfType(ExecutionException.class, () -> stale.get(30, TimeUnit.SECONDS)).getCause();
            assertThat(refused).isInstanceOf(PydbException.class);
            assertThat(((PydbException) refused).code()).isEqualTo(ErrorCode.BAD_REQUEST);
            assertThat(backend.value()).as("what the refused request was checked against is visible").isEqualTo(2);
        } finally {
            channels.openForces();
            pool.shutdownNow();
        }
    }

    @Test
    void aRefusalWithNothingInFlightIsAnsweredAtOnce() {
        try (WriteAheadLog log = open()) {
            log.commit(backend.set(0, 1));
            PydbException e = catchThrowableOfType(PydbException.class, () -> log.commit(backend.set(0, 2)));
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
            assertThat(log.syncCount()).as("a refusal writes nothing").isEqualTo(1);
            assertThat(log.commit(backend.set(1, 2))).isEqualTo(2);
        }
    }

    @Test
    void manyThreadsPublishEveryRecordOnceInOrderAfterItsSync() throws Exception {
        int threads = 16;
        int perThread = 100;
        ConcurrentHashMap<Long, String> acknowledged = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (WriteAheadLog log = open()) {
            backend.watchDurableEnd(channels.forcedEnd::get);
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        String text = "t" + thread + "-" + i;
                        long sequence = log.commit(backend.append(text));
                        assertThat(acknowledged.put(sequence, text)).isNull();
                    }
                    return null;
                }));
            }
            for (Future<?> writer : writers) {
                writer.get(60, TimeUnit.SECONDS);
            }
            assertThat(log.syncCount()).isBetween(1L, (long) threads * perThread);
        } finally {
            pool.shutdownNow();
        }
        RecordingBackend.assertContiguousFromOne(backend.published);
        // a record is published only once a completed sync covered it
        long end = SegmentFormat.HEADER_BYTES;
        RecordingBackend replayed = new RecordingBackend();
        try (WriteAheadLog reopened = WriteAheadLog.open(config(tempDir.resolve("wal")).build(), 0, replayed.replayInto())) {
            assertThat(replayed.replayed).hasSize(threads * perThread);
            for (String line : replayed.replayed) {
                long sequence = Long.parseLong(line.substring(0, line.indexOf(':')));
                String text = line.substring(line.indexOf(':') + 1);
                assertThat(acknowledged.get(sequence)).as("record %d went to the caller that logged it", sequence).isEqualTo(text);
                end += SegmentFormat.RECORD_HEADER_BYTES + text.length();
                assertThat(backend.durableEndAtPublish.get(sequence)).as("durable end when %d was published", sequence)
                        .isGreaterThanOrEqualTo(end);
            }
        }
    }

    @Test
    void anInterruptedCallerStillCommitsAndKeepsItsInterrupt() {
        try (WriteAheadLog log = open()) {
            Thread.currentThread().interrupt(); // a FileChannel closes itself when its thread is interrupted
            assertThat(log.commit(backend.append("interrupted"))).isEqualTo(1);
            assertThat(Thread.interrupted()).as("the interrupt is kept for the caller").isTrue();
            assertThat(log.commit(backend.append("after"))).isEqualTo(2);
            assertThat(log.failure()).isEmpty();
        }
        RecordingBackend replayed = new RecordingBackend();
        try (WriteAheadLog reopened = WriteAheadLog.open(config(tempDir.resolve("wal")).build(), 0, replayed.replayInto())) {
            assertThat(replayed.replayed).containsExactly("1:interrupted", "2:after");
        }
    }

    @Test
    void aWriteThatStartsInsideAPrepareFailsInsteadOfWaitingForItself() {
        try (WriteAheadLog log = open()) {
            IllegalStateException e = catchThrowableOfType(IllegalStateException.class, () -> log.commit(sequence -> {
                log.commit(backend.append("nested"));
                return backend.append("outer").prepare(sequence);
            }));
            assertThat(e).hasMessageContaining("would wait for itself");
            assertThat(log.commit(backend.append("still fine"))).isEqualTo(1);
        }
    }

    @Test
    void runQuiescedWaitsForTheGroupInFlightAndHoldsNewRequestsBack() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try (WriteAheadLog log = open()) {
            channels.holdForces();
            Future<Long> inFlight = pool.submit(() -> log.commit(backend.append("in flight")));
            assertThat(channels.awaitForceEntered()).isTrue();
            Future<List<Long>> quiet = pool.submit(() -> log.runQuiesced(() -> List.copyOf(backend.published)));
            await().atMost(Duration.ofSeconds(30)).until(() -> !quiet.isDone());
            channels.openForces();
            assertThat(quiet.get(30, TimeUnit.SECONDS)).as("the action saw the group in flight published").containsExactly(1L);
            assertThat(inFlight.get(30, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(log.commit(backend.append("after"))).isEqualTo(2);
        } finally {
            channels.openForces();
            pool.shutdownNow();
        }
    }

    @Test
    void aCommitAfterCloseIsStorageClosed() {
        WriteAheadLog log = open();
        log.commit(backend.append("one"));
        log.close();
        log.close();
        assertThat(catchThrowableOfType(dev.pydb.api.storage.StorageClosedException.class,
                () -> log.commit(backend.append("two")))).isNotNull();
    }
}
