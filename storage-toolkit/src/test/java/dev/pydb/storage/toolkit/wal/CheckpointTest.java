package dev.pydb.storage.toolkit.wal;

import static dev.pydb.storage.toolkit.wal.WalTesting.config;
import static dev.pydb.storage.toolkit.wal.WalTesting.segments;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pydb.api.storage.StorageMetrics;
import dev.pydb.storage.toolkit.file.FilePermissions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints delete only segments wholly at or before them; the signal, the metrics and the file modes. */
final class CheckpointTest {
    @TempDir
    Path tempDir;

    private final RecordingBackend backend = new RecordingBackend();

    private Path wal() {
        return tempDir.resolve("wal");
    }

    @Test
    void aCheckpointDeletesOnlySegmentsWhoseRecordsAllPrecedeIt() throws Exception {
        try (WriteAheadLog log = WriteAheadLog.open(config(wal()).segmentBytes(200).build(), 0, record -> {})) {
            WalPosition atTen = null;
            for (int i = 1; i <= 30; i++) {
                log.commit(backend.append("record " + i + " is about forty bytes long."));
                if (i == 10) {
                    atTen = log.publishedPosition();
                }
            }
            List<Path> before = segments(wal());
            assertThat(before).hasSizeGreaterThan(5);
            log.checkpoint(atTen, System.nanoTime());
            List<Path> after = segments(wal());
            long firstKept = SegmentFormat.firstSequenceOf(after.get(0));
            assertThat(firstKept).as("the segment holding record 11 stays").isLessThanOrEqualTo(11);
            assertThat(after).hasSizeLessThan(before.size()).isEqualTo(before.subList(before.size() - after.size(), before.size()));
            assertThat(log.checkpointedPosition()).isEqualTo(atTen);
            assertThat(log.bytesSinceCheckpoint()).isEqualTo(log.publishedPosition().bytes() - atTen.bytes());
        }
        RecordingBackend replayed = new RecordingBackend();
        try (WriteAheadLog reopened = WriteAheadLog.open(config(wal()).build(), 10, replayed.replayInto())) {
            assertThat(replayed.replayed).hasSize(20).first().asString().startsWith("11:");
        }
    }

    @Test
    void theActiveSegmentIsKeptAndTheNextGroupStartsANewOneSoTheNextCheckpointCanDeleteIt() throws Exception {
        try (WriteAheadLog log = WriteAheadLog.open(config(wal()).build(), 0, record -> {})) {
            for (int i = 0; i < 5; i++) {
                log.commit(backend.append("r" + i));
            }
            log.checkpoint(log.publishedPosition(), System.nanoTime());
            assertThat(segments(wal())).hasSize(1);
            log.commit(backend.append("in a new segment"));
            assertThat(segments(wal())).hasSize(2);
            log.checkpoint(log.publishedPosition(), System.nanoTime());
            assertThat(segments(wal())).extracting(SegmentFormat::firstSequenceOf).containsExactly(6L);
        }
    }

    @Test
    void aCheckpointPastThePublishedRecordsIsRefused() {
        try (WriteAheadLog log = WriteAheadLog.open(config(wal()).build(), 0, record -> {})) {
            log.commit(backend.append("one"));
            assertThatThrownBy(() -> log.checkpoint(new WalPosition(2, 0), System.nanoTime()))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void theCheckpointSignalAndTheMetricsAreReported() {
        AtomicInteger due = new AtomicInteger();
        List<long[]> commits = new CopyOnWriteArrayList<>();
        List<Long> checkpoints = new CopyOnWriteArrayList<>();
        StorageMetrics metrics = new StorageMetrics() {
            @Override
            public void commitCompleted(int requests, long bytes, long nanos) {
                commits.add(new long[] {requests, bytes, nanos});
            }

            @Override
            public void checkpointCompleted(long nanos) {
                checkpoints.add(nanos);
            }
        };
        WalConfig config = config(wal()).checkpointAfter(100, due::incrementAndGet).metrics(metrics).build();
        try (WriteAheadLog log = WriteAheadLog.open(config, 0, record -> {})) {
            log.commit(backend.append("x".repeat(40)));
            assertThat(due).hasValue(0);
            log.commit(backend.append("x".repeat(40)));
            assertThat(due).as("128 bytes logged").hasValue(1);
            assertThat(commits).hasSize(2).allSatisfy(c -> {
                assertThat(c[0]).isEqualTo(1);
                assertThat(c[1]).isEqualTo(SegmentFormat.RECORD_HEADER_BYTES + 40);
                assertThat(c[2]).isPositive();
            });
            log.checkpoint(log.publishedPosition(), System.nanoTime() - 5);
            assertThat(checkpoints).singleElement().satisfies(n -> assertThat(n).isGreaterThanOrEqualTo(5));
            log.commit(backend.append("x"));
            assertThat(due).as("the count starts again at the checkpoint").hasValue(1);
        }
    }

    @Test
    void segmentsAreOwnerOnly() throws Exception {
        try (WriteAheadLog log = WriteAheadLog.open(config(wal().resolve("deeper")).segmentBytes(64).build(), 0, record -> {})) {
            log.commit(backend.append("one record to start a second segment"));
            log.commit(backend.append("two"));
        }
        assertThat(Files.getPosixFilePermissions(wal())).isEqualTo(FilePermissions.DIRECTORY);
        assertThat(Files.getPosixFilePermissions(wal().resolve("deeper"))).isEqualTo(FilePermissions.DIRECTORY);
        assertThat(segments(wal().resolve("deeper"))).hasSize(2)
                .allSatisfy(f -> assertThat(Files.getPosixFilePermissions(f)).isEqualTo(FilePermissions.FILE));
    }
}
