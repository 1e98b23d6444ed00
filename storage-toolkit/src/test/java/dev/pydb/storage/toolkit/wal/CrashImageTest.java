package dev.pydb.storage.toolkit.wal;

import static dev.pydb.storage.toolkit.wal.WalTesting.config;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Copies of the log taken while writers run (the files as a kill -9 leaves them: what reached the
 * page cache) replay without refusing the start, and hold every record acknowledged before the
 * copy began, with the right payload.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class CrashImageTest {
    @TempDir
    Path tempDir;

    @Test
    void everyImageTakenMidRunReplaysEveryAcknowledgedRecord() throws Exception {
        Path wal = tempDir.resolve("wal");
        RecordingBackend backend = new RecordingBackend();
        ConcurrentHashMap<Long, String> acknowledged = new ConcurrentHashMap<>();
        AtomicLong highestAcknowledged = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        List<Path> images = new ArrayList<>();
        List<Long> acknowledgedBeforeImage = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (WriteAheadLog log = WriteAheadLog.open(config(wal).segmentBytes(8 << 10).build(), 0, record -> {})) {
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                writers.add(pool.submit(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        String text = "writer " + thread + " record " + i + " " + "y".repeat(i % 300);
                        long sequence = log.commit(backend.append(text));
                        acknowledged.put(sequence, text);
                        highestAcknowledged.accumulateAndGet(sequence, Math::max);
                    }
                    return null;
                }));
            }
            for (int i = 0; i < 12; i++) {
                while (highestAcknowledged.get() < (i + 1) * 100L) {
                    Thread.onSpinWait();
                }
                long before = highestAcknowledged.get();
                Path image = tempDir.resolve("image-" + i);
                WalTesting.copyDirectory(wal, image);
                images.add(image);
                acknowledgedBeforeImage.add(before);
            }
            stop.set(true);
            for (Future<?> writer : writers) {
                writer.get(60, TimeUnit.SECONDS);
            }
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
        for (int i = 0; i < images.size(); i++) {
            List<WalRecord> records = new ArrayList<>();
            try (WriteAheadLog replayed = WriteAheadLog.open(config(images.get(i)).build(), 0, records::add)) {
                assertThat(records.size()).as("image %d", i).isGreaterThanOrEqualTo(acknowledgedBeforeImage.get(i).intValue());
                for (int r = 0; r < records.size(); r++) {
                    WalRecord record = records.get(r);
                    assertThat(record.sequence()).isEqualTo(r + 1);
                    String text = new String(record.payload(), StandardCharsets.UTF_8);
                    String expected = acknowledged.get(record.sequence());
                    if (expected != null) {
                        assertThat(text).as("image %d record %d", i, record.sequence()).isEqualTo(expected);
                    }
                }
            }
        }
    }
}
