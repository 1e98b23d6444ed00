package dev.pydb.storage.json;

import static dev.pydb.storage.json.JsonTesting.body;
import static dev.pydb.storage.json.JsonTesting.crashImage;
import static dev.pydb.storage.json.JsonTesting.segments;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.storage.toolkit.wal.WriteAheadLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opening what a crash leaves: the log replayed on top of the snapshots; a torn last record cut
 * with a WARN; damage elsewhere, a record with a good checksum and bad content, or a snapshot that
 * is not valid JSON refuse the start naming the file.
 */
final class JsonRecoveryTest {
    private static final String DB = "shop";

    @TempDir
    Path tempDir;

    private Path root;
    private ListAppender<ILoggingEvent> log;

    @BeforeEach
    void setUp() {
        root = tempDir.resolve("data");
        log = JsonTesting.captureLog(WriteAheadLog.class);
    }

    @AfterEach
    void tearDown() {
        JsonTesting.stopCapturing(WriteAheadLog.class, log);
    }

    /** Three batches (1: put a, b; 2: put a again; 3: insert c) left in the log by a crash: a copy of the open storage. */
    private Path crashedWithThreeBatches() throws IOException {
        try (Storage storage = JsonTesting.open(root)) {
            storage.createDatabase(DB);
            storage.write(DB, List.of(WriteOp.Put.of("a", body("{\"n\":1}")), WriteOp.Put.of("b", body("{\"n\":2}"))));
            storage.put(DB, "a", body("{\"n\":3}"), 1);
            storage.insert(DB, "c", body("{\"n\":4}"));
            return crashImage(root, tempDir.resolve("crashed"));
        }
    }

    @Test
    void theLogIsReplayedOnTopOfTheSnapshots() throws IOException {
        Path crashed = crashedWithThreeBatches();
        try (Storage storage = JsonTesting.open(crashed)) {
            assertThat(storage.get(DB, "a").orElseThrow().rev()).isEqualTo(2);
            assertThat(storage.get(DB, "b")).isPresent();
            assertThat(storage.get(DB, "c")).isPresent();
            storage.put(DB, "d", body("{}"), 0);
        }
        try (Storage storage = JsonTesting.open(crashed)) {
            assertThat(storage.count(DB)).isEqualTo(4);
        }
    }

    @Test
    void aTornLastRecordIsCutWithAWarning() throws IOException {
        Path crashed = crashedWithThreeBatches();
        Path segment = segments(crashed).get(0);
        byte[] bytes = Files.readAllBytes(segment);
        Files.write(segment, Arrays.copyOf(bytes, bytes.length - 5));
        try (Storage storage = JsonTesting.open(crashed)) {
            assertThat(storage.get(DB, "a").orElseThrow().rev()).isEqualTo(2);
            assertThat(storage.get(DB, "c")).as("the torn batch").isEmpty();
            storage.put(DB, "after", body("{}"), Storage.ANY_REVISION);
        }
        assertThat(log.list).filteredOn(e -> e.getLevel() == Level.WARN).singleElement()
                .satisfies(e -> assertThat(e.getFormattedMessage()).contains(segment.toString()).contains("offset ").contains("bytes cut"));
        try (Storage storage = JsonTesting.open(crashed)) {
            assertThat(storage.get(DB, "after")).isPresent();
        }
    }

    @Test
    void aDamagedRecordThatIsNotTheLastRefusesTheStart() throws IOException {
        Path crashed = crashedWithThreeBatches();
        Path segment = segments(crashed).get(0);
        JsonTesting.flipBit(segment, 32 + 24 + 10, 1); // inside the first record's payload
        byte[] damaged = Files.readAllBytes(segment);
        PydbException e = catchThrowableOfType(PydbException.class, () -> JsonTesting.open(crashed).close());
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(e.getMessage()).contains(segment.toString()).contains("offset 32");
        assertThat(Files.readAllBytes(segment)).as("nothing is cut").isEqualTo(damaged);
    }

    @Test
    void aRecordWithAGoodChecksumAndBadContentRefusesTheStart() throws IOException {
        Path crashed = crashedWithThreeBatches();
        Path segment = segments(crashed).get(0);
        byte[] bytes = Files.readAllBytes(segment);
        int payloadLength = ByteBuffer.wrap(bytes).getInt(32);
        byte[] payload = "{\"db\":\"shop\",\"changes\":[{\"op\":\"explode\"}]}".getBytes(StandardCharsets.UTF_8);
        byte[] rewritten = ByteBuffer.allocate(bytes.length - payloadLength + payload.length)
                .put(bytes, 0, 32 + 24).put(payload).put(bytes, 32 + 24 + payloadLength, bytes.length - 32 - 24 - payloadLength).array();
        ByteBuffer header = ByteBuffer.wrap(rewritten, 32, 24).slice();
        header.putInt(0, payload.length);
        CRC32C crc = new CRC32C(); // the frame's checksum as docs/STORAGE-TOOLKIT.md defines it
        crc.update(payload);
        crc.update(rewritten, 32 + 8, 16);
        crc.update(rewritten, 32, 4);
        header.putInt(4, (int) crc.getValue());
        Files.write(segment, rewritten);
        PydbException e = catchThrowableOfType(PydbException.class, () -> JsonTesting.open(crashed).close());
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(e.getMessage()).contains(segment.toString()).contains("offset 32").contains("record 1").contains("a change needs a key");
    }

    @Test
    void aSnapshotThatIsNotValidJsonRefusesTheStartNamingTheFile() throws IOException {
        try (Storage storage = JsonTesting.open(root)) {
            storage.createDatabase(DB);
            storage.put(DB, "a", body("{}"), Storage.ANY_REVISION);
        }
        Path snapshot = root.resolve("databases").resolve(DB).resolve("snapshot.json");
        String text = Files.readString(snapshot);
        Files.writeString(snapshot, text.substring(0, text.length() / 2));
        PydbException e = catchThrowableOfType(PydbException.class, () -> JsonTesting.open(root).close());
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(e.getMessage()).contains(snapshot.toString()).contains("corrupt");
    }

    @Test
    void aMissingSnapshotRefusesTheStart() throws IOException {
        try (Storage storage = JsonTesting.open(root)) {
            storage.createDatabase(DB);
        }
        Path snapshot = root.resolve("databases").resolve(DB).resolve("snapshot.json");
        Files.delete(snapshot);
        PydbException e = catchThrowableOfType(PydbException.class, () -> JsonTesting.open(root).close());
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(e.getMessage()).contains(snapshot.toString()).contains("missing");
    }

    @Test
    void aDeletedCheckpointFileIsNoticedAsMissingRecords() throws IOException {
        try (Storage storage = JsonTesting.open(root, 1)) {
            storage.createDatabase(DB);
            for (int i = 0; i < 20; i++) {
                storage.put(DB, "k" + i, body("{}"), Storage.ANY_REVISION);
            }
        }
        Files.delete(root.resolve("checkpoint.json"));
        PydbException e = catchThrowableOfType(PydbException.class, () -> JsonTesting.open(root).close());
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(e.getMessage()).contains("are missing");
    }

    @Test
    void recordsOfADroppedDatabaseAreNotReplayedIntoItsSuccessor() throws IOException {
        Path crashed;
        try (Storage storage = JsonTesting.open(root)) {
            storage.createDatabase(DB);
            storage.put(DB, "old", body("{}"), Storage.ANY_REVISION);
            storage.dropDatabase(DB);
            storage.createDatabase(DB);
            storage.put(DB, "new", body("{}"), Storage.ANY_REVISION);
            storage.createDatabase("gone");
            storage.put("gone", "x", body("{}"), Storage.ANY_REVISION);
            storage.dropDatabase("gone");
            crashed = crashImage(root, tempDir.resolve("crashed"));
        }
        try (Storage storage = JsonTesting.open(crashed)) {
            assertThat(storage.listDatabases()).containsExactly(DB);
            assertThat(storage.get(DB, "old")).isEmpty();
            assertThat(storage.get(DB, "new")).isPresent();
        }
    }

    @Test
    void aCrashDuringCheckpointsLosesNothing() throws IOException {
        List<Path> images = new java.util.ArrayList<>();
        try (JsonStorage storage = JsonTesting.open(root, 512)) {
            storage.createDatabase(DB);
            storage.createDatabase("other");
            for (int i = 1; i <= 300; i++) {
                storage.put(i % 3 == 0 ? "other" : DB, "k" + (i % 40), body("{\"i\":" + i + "}"), Storage.ANY_REVISION);
                if (i % 50 == 0) {
                    images.add(crashImage(root, tempDir.resolve("image-" + i))); // checkpoints run meanwhile
                }
            }
        }
        for (int n = 0; n < images.size(); n++) {
            int last = (n + 1) * 50;
            try (Storage storage = JsonTesting.open(images.get(n))) {
                for (int i = last - 5; i <= last; i++) {
                    String db = i % 3 == 0 ? "other" : DB;
                    String body = JsonTesting.text(storage.get(db, "k" + (i % 40)).orElseThrow().body());
                    int stored = Integer.parseInt(body.substring(5, body.length() - 1));
                    assertThat(stored).as("image %d, write %d", n, i).isGreaterThanOrEqualTo(i);
                }
            }
        }
    }
}
