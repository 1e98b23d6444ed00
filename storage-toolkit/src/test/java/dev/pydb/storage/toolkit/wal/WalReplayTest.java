package dev.pydb.storage.toolkit.wal;

import static dev.pydb.storage.toolkit.wal.WalTesting.captureLog;
import static dev.pydb.storage.toolkit.wal.WalTesting.config;
import static dev.pydb.storage.toolkit.wal.WalTesting.open;
import static dev.pydb.storage.toolkit.wal.WalTesting.segments;
import static dev.pydb.storage.toolkit.wal.WalTesting.stopCapturing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Strict replay: records come back in order; a torn tail is cut with a WARN; damage elsewhere and gaps refuse the start. */
final class WalReplayTest {
    private static final int RECORDS = 5;

    @TempDir
    Path tempDir;

    private Path wal;
    private ListAppender<ILoggingEvent> log;

    @BeforeEach
    void setUp() {
        wal = tempDir.resolve("wal");
        log = captureLog();
    }

    @AfterEach
    void tearDown() {
        stopCapturing(log);
    }

    @Test
    void recordsComeBackInOrderAfterTheCheckpoint() {
        writeRecords(wal, 100);
        RecordingBackend all = new RecordingBackend();
        try (WriteAheadLog reopened = open(wal, 0, all)) {
            assertThat(all.replayed).hasSize(100).first().isEqualTo("1:record 1");
            assertThat(all.replayed.get(99)).isEqualTo("100:record 100");
            assertThat(reopened.publishedPosition().sequence()).isEqualTo(100);
            assertThat(reopened.commit(all.append("next"))).isEqualTo(101);
        }
        RecordingBackend tail = new RecordingBackend();
        try (WriteAheadLog reopened = open(wal, 60, tail)) {
            assertThat(tail.replayed).hasSize(41).first().isEqualTo("61:record 61");
            assertThat(tail.replayed).last().isEqualTo("101:next");
        }
    }

    @Test
    void aTornTailAtEveryBytePositionIsCutWithAWarning() throws IOException {
        writeRecords(wal, RECORDS);
        Path segment = segments(wal).get(0);
        byte[] bytes = Files.readAllBytes(segment);
        List<Long> ends = recordEnds(bytes);
        for (int c = 0; c < bytes.length; c++) {
            int cut = c;
            Path copy = tempDir.resolve("cut-" + cut);
            Files.createDirectories(copy);
            Path file = copy.resolve(segment.getFileName());
            Files.write(file, Arrays.copyOf(bytes, cut));
            log.list.clear();
            RecordingBackend backend = new RecordingBackend();
            int whole = 0;
            while (whole < ends.size() && ends.get(whole) <= cut) {
                whole++;
            }
            try (WriteAheadLog reopened = open(copy, 0, backend)) {
                assertThat(backend.replayed).as("cut at %d", cut).hasSize(whole);
                assertThat(reopened.commit(backend.append("after the cut"))).isEqualTo(whole + 1);
            }
            boolean atABoundary = cut == SegmentFormat.HEADER_BYTES || ends.contains((long) cut);
            List<ILoggingEvent> warnings = log.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
            if (atABoundary) {
                assertThat(warnings).as("cut at %d", cut).isEmpty();
            } else if (cut < SegmentFormat.HEADER_BYTES) {
                assertThat(warnings).as("cut at %d", cut).singleElement()
                        .satisfies(e -> assertThat(e.getFormattedMessage()).contains(file.toString()).contains(cut + " bytes"));
            } else {
                long offset = whole == 0 ? SegmentFormat.HEADER_BYTES : ends.get(whole - 1);
                assertThat(warnings).as("cut at %d", cut).singleElement().satisfies(e -> assertThat(e.getFormattedMessage())
                        .contains(file.toString()).contains("offset " + offset).contains((cut - offset) + " bytes cut"));
            }
            RecordingBackend again = new RecordingBackend();
            try (WriteAheadLog reopened = open(copy, 0, again)) {
                assertThat(again.replayed).as("cut at %d, reopened", cut).hasSize(whole + 1).last()
                        .isEqualTo((whole + 1) + ":after the cut");
            }
        }
    }

    @Test
    void damageInAnyRecordButTheLastRefusesTheStartNamingFileAndOffset() throws IOException {
        writeRecords(wal, RECORDS);
        Path segment = segments(wal).get(0);
        byte[] bytes = Files.readAllBytes(segment);
        List<Long> ends = recordEnds(bytes);
        for (int record = 0; record < RECORDS; record++) {
            long start = record == 0 ? SegmentFormat.HEADER_BYTES : ends.get(record - 1);
            for (long damaged : List.of(start + 1, start + 10, ends.get(record) - 1)) { // length, sequence, payload
                byte[] copy = bytes.clone();
                copy[(int) damaged] ^= 0x10;
                Path directory = tempDir.resolve("damage-" + record + "-" + damaged);
                Files.createDirectories(directory);
                Path file = directory.resolve(segment.getFileName());
                Files.write(file, copy);
                RecordingBackend backend = new RecordingBackend();
                if (record < RECORDS - 1) {
                    PydbException e = catchThrowableOfType(PydbException.class, () -> open(directory, 0, backend).close());
                    assertThat(e).as("damage at %d in record %d", damaged, record + 1).isNotNull();
                    assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                    assertThat(e.getMessage()).contains(file.toString()).contains("offset " + start);
                    assertThat(Files.readAllBytes(file)).as("nothing is cut").isEqualTo(copy);
                } else {
                    try (WriteAheadLog reopened = open(directory, 0, backend)) {
                        assertThat(backend.replayed).as("the damaged last record is cut as torn").hasSize(RECORDS - 1);
                    }
                    assertThat(Files.size(file)).isEqualTo(start);
                }
            }
        }
    }

    @Test
    void damageInsideTheLastGroupIsTornButInAnEarlierGroupIsRefused() throws IOException {
        // group 1 = records 1..3, group 2 = records 4..6, written by hand with their group offsets
        List<byte[]> frames = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            frames.add(frame(i, (i - 1) % 3, "record " + i));
        }
        Path file = wal.resolve(SegmentFormat.fileName(1));
        for (int damaged : List.of(1, 2, 4, 5)) { // 0-based: in group 1, and the 2nd/3rd of group 2
            byte[] segment = segment(1, frames);
            long start = SegmentFormat.HEADER_BYTES;
            for (int i = 0; i < damaged; i++) {
                start += frames.get(i).length;
            }
            segment[(int) start + SegmentFormat.RECORD_HEADER_BYTES + 2] ^= 0x01;
            Files.createDirectories(wal);
            Files.write(file, segment);
            RecordingBackend backend = new RecordingBackend();
            if (damaged < 3) {
                PydbException e = catchThrowableOfType(PydbException.class, () -> open(wal, 0, backend).close());
                assertThat(e.getMessage()).as("record %d", damaged + 1).contains("offset " + start).contains("later writes");
            } else {
                // a power loss can leave the last group's later pages on disk without an earlier one
                try (WriteAheadLog reopened = open(wal, 0, backend)) {
                    assertThat(backend.replayed).hasSize(damaged);
                }
                assertThat(Files.size(file)).isEqualTo(start);
            }
        }
    }

    @Test
    void aRecordOutOfSequenceRefusesTheStart() throws IOException {
        Files.createDirectories(wal);
        Path file = wal.resolve(SegmentFormat.fileName(1));
        Files.write(file, segment(1, List.of(frame(1, 0, "a"), frame(2, 0, "b"), frame(4, 0, "d"), frame(5, 0, "e"))));
        PydbException e = catchThrowableOfType(PydbException.class, () -> open(wal, 0, new RecordingBackend()).close());
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(e.getMessage()).contains(file.toString()).contains("record 4 where record 3 was expected");
    }

    @Test
    void aMissingSegmentRefusesTheStart() throws IOException {
        try (WriteAheadLog log = WriteAheadLog.open(config(wal).segmentBytes(100).build(), 0, record -> {})) {
            RecordingBackend backend = new RecordingBackend();
            for (int i = 0; i < 12; i++) {
                log.commit(backend.append("record " + i + " with some bytes to fill segments"));
            }
        }
        List<Path> segments = segments(wal);
        assertThat(segments).hasSizeGreaterThan(3);
        Files.delete(segments.get(1));
        PydbException e = catchThrowableOfType(PydbException.class, () -> open(wal, 0, new RecordingBackend()).close());
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(e.getMessage()).contains(segments.get(2).toString()).contains("are missing");
    }

    @Test
    void aLogThatBeginsAfterTheStoresCheckpointRefusesTheStart() throws IOException {
        Files.createDirectories(wal);
        Files.write(wal.resolve(SegmentFormat.fileName(20)), segment(20, List.of(frame(20, 0, "x"))));
        PydbException e = catchThrowableOfType(PydbException.class, () -> open(wal, 10, new RecordingBackend()).close());
        assertThat(e.getMessage()).contains("records 11 to 19 are missing");
    }

    @Test
    void obsoleteSegmentsAreDeletedAndATornNewSegmentIsRemoved() throws IOException {
        try (WriteAheadLog log = WriteAheadLog.open(config(wal).segmentBytes(100).build(), 0, record -> {})) {
            RecordingBackend backend = new RecordingBackend();
            for (int i = 0; i < 12; i++) {
                log.commit(backend.append("record " + i + " with some bytes to fill segments"));
            }
        }
        List<Path> before = segments(wal);
        Path torn = wal.resolve(SegmentFormat.fileName(13));
        Files.write(torn, new byte[7]); // a crash right after creating the next segment
        RecordingBackend backend = new RecordingBackend();
        try (WriteAheadLog reopened = open(wal, 10, backend)) {
            assertThat(backend.replayed).hasSize(2);
            assertThat(reopened.commit(backend.append("13"))).isEqualTo(13);
        }
        assertThat(segments(wal)).doesNotContain(before.get(0)).contains(before.get(before.size() - 1));
        assertThat(log.list).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains(torn.toString()));
    }

    @Test
    void aRecordTheBackendCannotReadRefusesTheStart() {
        writeRecords(wal, 3);
        PydbException e = catchThrowableOfType(PydbException.class, () -> WriteAheadLog.open(config(wal).build(), 0, record -> {
            if (record.sequence() == 2) {
                throw new CorruptRecordException("not a batch");
            }
        }).close());
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(e.getMessage()).contains(SegmentFormat.fileName(1)).contains("record 2").contains("not a batch")
                .contains("offset " + (SegmentFormat.HEADER_BYTES + SegmentFormat.RECORD_HEADER_BYTES + "record 1".length()));
    }

    @Test
    void theVerifierReportsEveryDamageAndChangesNothing() throws IOException {
        try (WriteAheadLog log = WriteAheadLog.open(config(wal).segmentBytes(100).build(), 0, record -> {})) {
            RecordingBackend backend = new RecordingBackend();
            for (int i = 0; i < 12; i++) {
                log.commit(backend.append("record " + i + " with some bytes to fill segments"));
            }
        }
        List<Path> segments = segments(wal);
        flip(segments.get(0), SegmentFormat.HEADER_BYTES + 30);
        flip(segments.get(2), SegmentFormat.HEADER_BYTES + 30);
        byte[] last = Files.readAllBytes(segments.get(segments.size() - 1));
        Files.write(segments.get(segments.size() - 1), Arrays.copyOf(last, last.length - 3));
        List<byte[]> before = new ArrayList<>();
        for (Path segment : segments) {
            before.add(Files.readAllBytes(segment));
        }
        WalVerifier.Result result = WalVerifier.verify(wal, 0, record -> {});
        assertThat(result.problems()).extracting(WalVerifier.Problem::file).containsExactly(segments.get(0), segments.get(2));
        assertThat(result.problems()).allSatisfy(p -> assertThat(p.offset()).isEqualTo(SegmentFormat.HEADER_BYTES));
        assertThat(result.tornTailBytes()).isPositive();
        for (int i = 0; i < segments.size(); i++) {
            assertThat(Files.readAllBytes(segments.get(i))).isEqualTo(before.get(i));
        }
    }

    // ------------------------------------------------------------------ helpers

    /** {@code count} records "record 1" … each its own group. */
    static void writeRecords(Path wal, int count) {
        RecordingBackend backend = new RecordingBackend();
        try (WriteAheadLog log = open(wal, 0, backend)) {
            for (int i = 1; i <= count; i++) {
                log.commit(backend.append("record " + i));
            }
        }
    }

    /** The end offsets of the records of a segment (valid throughout). */
    static List<Long> recordEnds(byte[] segment) {
        List<Long> ends = new ArrayList<>();
        ByteBuffer buffer = ByteBuffer.wrap(segment);
        long position = SegmentFormat.HEADER_BYTES;
        while (position < segment.length) {
            position += SegmentFormat.RECORD_HEADER_BYTES + buffer.getInt((int) position);
            ends.add(position);
        }
        return ends;
    }

    static byte[] frame(long sequence, int groupOffset, String payload) {
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        ByteBuffer header = SegmentFormat.recordHeader(bytes.length, sequence, groupOffset, crc);
        byte[] frame = new byte[SegmentFormat.RECORD_HEADER_BYTES + bytes.length];
        header.get(0, frame, 0, SegmentFormat.RECORD_HEADER_BYTES);
        System.arraycopy(bytes, 0, frame, SegmentFormat.RECORD_HEADER_BYTES, bytes.length);
        return frame;
    }

    static byte[] segment(long first, List<byte[]> frames) {
        ByteBuffer out = ByteBuffer.allocate(SegmentFormat.HEADER_BYTES + frames.stream().mapToInt(f -> f.length).sum());
        out.put(SegmentFormat.segmentHeader(first));
        frames.forEach(out::put);
        return out.array();
    }

    private static void flip(Path file, long offset) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, offset);
            one.put(0, (byte) (one.get(0) ^ 0x04)).rewind();
            channel.write(one, offset);
        }
    }
}
