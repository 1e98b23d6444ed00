package dev.pydb.storage.json;

import static dev.pydb.storage.json.JsonTesting.body;
import static dev.pydb.storage.json.JsonTesting.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.WriteOp;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot document that fails its checksum: the database opens, the document answers
 * CORRUPTED (never served, never dropped) with the file named, the log names file, database and
 * key, the rest works; a PUT or DELETE without a revision replaces it.
 */
final class JsonChecksumTest {
    private static final String DB = "shop";

    @TempDir
    Path tempDir;

    private Path root;
    private Path snapshot;
    private ListAppender<ILoggingEvent> log;

    @BeforeEach
    void setUp() throws IOException {
        root = tempDir.resolve("data");
        snapshot = root.resolve("databases").resolve(DB).resolve("snapshot.json");
        try (Storage storage = JsonTesting.open(root)) {
            storage.createDatabase(DB);
            for (int i = 0; i < 5; i++) {
                storage.put(DB, "k" + i, body("{\"text\":\"hello number " + i + "\"}"), Storage.ANY_REVISION);
            }
        }
        JsonTesting.flipOneBitOfDocument(root, DB, "k2");
        log = JsonTesting.captureLog(DatabaseFiles.class);
    }

    @AfterEach
    void tearDown() {
        JsonTesting.stopCapturing(DatabaseFiles.class, log);
    }

    @Test
    void aDamagedDocumentAnswersCorruptedAndTheRestWorks() {
        try (Storage storage = JsonTesting.open(root)) {
            PydbException e = catchThrowableOfType(PydbException.class, () -> storage.get(DB, "k2"));
            assertThat(e.code()).isEqualTo(ErrorCode.CORRUPTED);
            assertThat(e.getMessage()).contains("k2").contains(DB).contains(snapshot.toString()).contains("checksum mismatch");
            assertThat(text(storage.get(DB, "k1").orElseThrow().body())).isEqualTo("{\"text\":\"hello number 1\"}");
            assertThat(catchThrowableOfType(PydbException.class, () -> storage.scan(DB, null, 10)).code())
                    .as("a scan over it").isEqualTo(ErrorCode.CORRUPTED);
            assertThat(storage.scan(DB, null, 2)).extracting(d -> d.key()).containsExactly("k0", "k1");
            assertThat(storage.scan(DB, "k2", 10)).extracting(d -> d.key()).containsExactly("k3", "k4");
            assertThat(storage.count(DB)).as("it is still there").isEqualTo(5);
            assertThat(storage.put(DB, "k9", body("{}"), 0)).isEqualTo(1);
        }
        assertThat(log.list).filteredOn(e -> e.getLevel() == Level.ERROR).singleElement().satisfies(e -> assertThat(
                e.getFormattedMessage()).contains("'k2'").contains("'" + DB + "'").contains(snapshot.toString()).contains("CORRUPTED"));
    }

    @Test
    void writesThatNeedTheDamagedContentFailAndAnUnconditionalPutOrDeleteReplacesIt() {
        try (Storage storage = JsonTesting.open(root)) {
            for (WriteOp op : List.of(new WriteOp.Put("k2", body("{}"), 1), new WriteOp.Delete("k2", 1),
                    new WriteOp.Update("k2", b -> b, Storage.ANY_REVISION), new WriteOp.Insert("k2", body("{}")))) {
                PydbException e = catchThrowableOfType(PydbException.class, () -> storage.write(DB, List.of(op)));
                assertThat(e.code()).as("%s", op).isEqualTo(ErrorCode.CORRUPTED);
                assertThat(e.details()).containsEntry("index", 0);
            }
            assertThat(storage.put(DB, "k2", body("{\"text\":\"restored\"}"), Storage.ANY_REVISION)).isEqualTo(2);
            assertThat(text(storage.get(DB, "k2").orElseThrow().body())).isEqualTo("{\"text\":\"restored\"}");
        }
        try (Storage storage = JsonTesting.open(root)) {
            assertThat(text(storage.get(DB, "k2").orElseThrow().body())).isEqualTo("{\"text\":\"restored\"}");
        }
    }

    @Test
    void aDamagedDocumentStaysDamagedThroughCheckpoints() {
        try (Storage storage = JsonTesting.open(root)) {
            storage.put(DB, "k3", body("{\"text\":\"changed\"}"), Storage.ANY_REVISION); // the next checkpoint rewrites the snapshot
        }
        try (Storage storage = JsonTesting.open(root)) {
            assertThat(catchThrowableOfType(PydbException.class, () -> storage.get(DB, "k2")).code()).isEqualTo(ErrorCode.CORRUPTED);
            assertThat(text(storage.get(DB, "k3").orElseThrow().body())).isEqualTo("{\"text\":\"changed\"}");
            storage.delete(DB, "k2", Storage.ANY_REVISION);
            assertThat(storage.get(DB, "k2")).isEmpty();
        }
        try (Storage storage = JsonTesting.open(root)) {
            assertThat(storage.get(DB, "k2")).isEmpty();
            assertThat(storage.count(DB)).isEqualTo(4);
        }
    }

    @Test
    void theBackupSnapshotAnswersCorruptedToo() {
        try (Storage storage = JsonTesting.open(root); var view = storage.snapshot().orElseThrow()) {
            assertThat(view.count(DB)).isEqualTo(5);
            assertThat(catchThrowableOfType(PydbException.class, () -> view.scan(DB, null, 10)).code()).isEqualTo(ErrorCode.CORRUPTED);
        }
    }
}
