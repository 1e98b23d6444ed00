package dev.pydb.storage.toolkit.wal;

import static dev.pydb.storage.toolkit.wal.WalTesting.config;
import static dev.pydb.storage.toolkit.wal.WalTesting.segments;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.storage.tck.SmallTmpfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk fails the group with LIMIT_EXCEEDED and the log goes on once there is room; a
 * failed fsync poisons the log until a restart. With a fault-injecting channel and a real tmpfs.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class DiskFailureTest {
    @TempDir
    Path tempDir;

    private final FaultInjectingChannels channels = new FaultInjectingChannels();
    private final RecordingBackend backend = new RecordingBackend();

    private Path wal() {
        return tempDir.resolve("wal");
    }

    private WriteAheadLog open(long segmentBytes) {
        return WriteAheadLog.open(config(wal()).segmentBytes(segmentBytes).channels(channels).build(), 0, backend.replayInto());
    }

    @Test
    void anAppendWithoutSpaceFailsAndCutsBackAndTheLogGoesOnOnceThereIsRoom() throws Exception {
        try (WriteAheadLog log = open(WalConfig.DEFAULT_SEGMENT_BYTES)) {
            log.commit(backend.set(0, 1));
            Path segment = segments(wal()).get(0);
            long size = Files.size(segment);
            channels.spaceLeft.set(10); // part of the next record fits, then ENOSPC
            PydbException e = catchThrowableOfType(PydbException.class, () -> log.commit(backend.set(1, 2)));
            assertThat(e.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
            assertThat(e.getMessage()).contains("disk full").contains(segment.toString());
            assertThat(Files.size(segment)).as("cut back to where the group began").isEqualTo(size);
            assertThat(backend.aborted).containsExactly(2L);
            assertThat(backend.value()).isEqualTo(1);
            assertThat(log.failure()).as("a full disk does not poison the log").isEmpty();
            channels.spaceLeft.set(-1); // space is back
            assertThat(log.commit(backend.set(1, 3))).as("the failed record's number is used again").isEqualTo(2);
        }
        RecordingBackend replayed = new RecordingBackend();
        try (WriteAheadLog reopened = WriteAheadLog.open(config(wal()).build(), 0, replayed.replayInto())) {
            assertThat(replayed.replayed).containsExactly("1:set 1", "2:set 3");
        }
    }

    @Test
    void aFailedGroupFailsEveryRequestPreparedAfterItWithTheSameError() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try (WriteAheadLog log = open(WalConfig.DEFAULT_SEGMENT_BYTES)) {
            channels.holdForces();
            Future<Long> first = pool.submit(() -> log.commit(backend.set(0, 1)));
            assertThat(channels.awaitForceEntered()).isTrue();
            Future<Long> second = pool.submit(() -> log.commit(backend.set(1, 2)));
            await().atMost(Duration.ofSeconds(30)).until(() -> log.queuedRequests() == 1);
            Future<Long> third = pool.submit(() -> log.commit(backend.set(2, 3))); // checked against the pending 2
            await().atMost(Duration.ofSeconds(30)).until(() -> log.queuedRequests() == 2);
            channels.spaceLeft.set(0); // the first is written already; the group of the other two finds the disk full
            channels.openForces();
            assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo(1);
            for (Future<Long> failed : List.of(second, third)) {
                Throwable e = catchThrowableOfType(java.util.concurrent.ExecutionException.class,
                        () -> failed.get(30, TimeUnit.SECONDS)).getCause();
                assertThat(e).isInstanceOf(PydbException.class);
                assertThat(((PydbException) e).code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
            }
            assertThat(backend.aborted).as("aborted in reverse order").containsExactly(3L, 2L);
            assertThat(backend.published).containsExactly(1L);
            channels.spaceLeft.set(-1);
            assertThat(log.commit(backend.set(1, 4))).as("nothing stays pending after the failure").isEqualTo(2);
        } finally {
            channels.openForces();
            pool.shutdownNow();
        }
    }

    @Test
    void aNewSegmentThatCannotBeCreatedFailsTheGroupAndTheLogGoesOn() throws Exception {
        try (WriteAheadLog log = open(64)) {
            log.commit(backend.append("fills the first segment past 64 bytes"));
            List<Path> before = segments(wal());
            channels.failingCreations.set(1);
            PydbException e = catchThrowableOfType(PydbException.class, () -> log.commit(backend.append("needs a new segment")));
            assertThat(e.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
            assertThat(e.getMessage()).contains("disk full").contains(wal().toString());
            assertThat(segments(wal())).isEqualTo(before);
            channels.spaceLeft.set(20); // the file can be created, its header fits, the record does not
            PydbException partly = catchThrowableOfType(PydbException.class, () -> log.commit(backend.append("needs a new segment")));
            assertThat(partly.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
            channels.spaceLeft.set(-1);
            assertThat(log.commit(backend.append("needs a new segment"))).isEqualTo(2);
        }
        RecordingBackend replayed = new RecordingBackend();
        try (WriteAheadLog reopened = WriteAheadLog.open(config(wal()).build(), 0, replayed.replayInto())) {
            assertThat(replayed.replayed).containsExactly("1:fills the first segment past 64 bytes", "2:needs a new segment");
        }
    }

    @Test
    void aFailedFsyncPoisonsTheLogUntilARestart() throws Exception {
        try (WriteAheadLog log = open(WalConfig.DEFAULT_SEGMENT_BYTES)) {
            log.commit(backend.set(0, 1));
            channels.failingForces.set(1);
            PydbException e = catchThrowableOfType(PydbException.class, () -> log.commit(backend.set(1, 2)));
            assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(e.getMessage()).contains("fsync").contains("restart");
            assertThat(backend.aborted).containsExactly(2L);
            assertThat(log.failure()).isPresent();
            PydbException later = catchThrowableOfType(PydbException.class, () -> log.commit(backend.set(1, 3)));
            assertThat(later.code()).as("even with the disk healthy again").isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(backend.value()).as("reads go on").isEqualTo(1);
        }
        RecordingBackend replayed = new RecordingBackend();
        try (WriteAheadLog reopened = WriteAheadLog.open(config(wal()).build(), 0, replayed.replayInto())) {
            assertThat(replayed.replayed).containsExactly("1:set 1");
            assertThat(reopened.commit(replayed.append("after the restart"))).isEqualTo(2);
        }
    }

    @Test
    void aRealFullTmpfsFailsWritesAndTheyResumeWhenSpaceIsFreed() throws Exception {
        try (SmallTmpfs tmpfs = SmallTmpfs.mountOrSkip(tempDir.resolve("tmpfs"), 256 << 10)) {
            Path directory = tmpfs.path().resolve("wal");
            List<Long> acknowledged = new ArrayList<>();
            String payload = "x".repeat(1000);
            int limitExceeded = 0;
            try (WriteAheadLog log = WriteAheadLog.open(config(directory).segmentBytes(32 << 10).build(), 0, record -> {})) {
                Files.write(tmpfs.path().resolve("filler"), new byte[64 << 10]);
                while (limitExceeded < 5) {
                    try {
                        acknowledged.add(log.commit(backend.append(payload)));
                    } catch (PydbException e) {
                        assertThat(e.code()).as("%s", e).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
                        assertThat(e.getMessage()).contains("disk full").contains(directory.toString());
                        limitExceeded++;
                    }
                }
                assertThat(acknowledged).hasSizeGreaterThan(100);
                assertThat(log.failure()).isEmpty();
                Files.delete(tmpfs.path().resolve("filler"));
                for (int i = 0; i < 20; i++) {
                    acknowledged.add(log.commit(backend.append(payload)));
                }
            }
            RecordingBackend.assertContiguousFromOne(acknowledged);
            RecordingBackend replayed = new RecordingBackend();
            try (WriteAheadLog reopened = WriteAheadLog.open(config(directory).build(), 0, replayed.replayInto())) {
                assertThat(replayed.replayed).hasSize(acknowledged.size());
            }
        }
    }
}
