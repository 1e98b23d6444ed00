package dev.pydb.storage.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.ConfigException;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageOptions;
import dev.pydb.api.storage.StorageProvider;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.storage.tck.KitStorageContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The json backend's own promises: its files, its recovery rules and its options. */
final class JsonStorageFilesTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String DB = "shop";

    @TempDir
    Path tempDir;

    private Path root;
    private Path log;
    private Path snapshot;
    private final ListAppender<ILoggingEvent> warnings = new ListAppender<>();

    @BeforeEach
    void setUp() {
        root = tempDir.resolve("data");
        log = root.resolve("databases").resolve(DB).resolve("log.jsonl");
        snapshot = root.resolve("databases").resolve(DB).resolve("snapshot.json");
        warnings.start();
        ((Logger) LoggerFactory.getLogger(LogRecovery.class)).addAppender(warnings);
    }

    @AfterEach
    void tearDown() {
        ((Logger) LoggerFactory.getLogger(LogRecovery.class)).detachAppender(warnings);
    }

    @Test
    void aTornLastLineWithoutNewlineIsTruncatedWithAWarning() throws IOException {
        writeThreeBatches();
        long validSize = Files.size(log);
        byte[] line = lastLine();
        append(log, Arrays.copyOf(line, line.length / 2));

        try (Storage storage = open(StorageOptions.empty())) {
            assertThreeBatches(storage);
            assertThat(Files.size(log)).isEqualTo(validSize);
            storage.put(DB, "after", body("{\"n\":4}"), Storage.ANY_REVISION);
        }
        assertThat(warnings.list).singleElement().satisfies(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.WARN);
            assertThat(event.getFormattedMessage()).contains(log.toString()).contains("offset " + validSize);
        });
        try (Storage storage = open(StorageOptions.empty())) {
            assertThat(storage.get(DB, "after")).isPresent();
            assertThat(storage.count(DB)).isEqualTo(4);
        }
    }

    @Test
    void aLastLineWithABadChecksumIsTruncated() throws IOException {
        writeThreeBatches();
        long sizeBefore = Files.size(log);
        byte[] bytes = Files.readAllBytes(log);
        int lastLineStart = sizeBeforeLastLine(bytes);
        bytes[bytes.length - 5] ^= 0x01; // inside the last batch, keeps the framing
        Files.write(log, bytes);

        try (Storage storage = open(StorageOptions.empty())) {
            assertThat(storage.get(DB, "a").orElseThrow().rev()).isEqualTo(2);
            assertThat(storage.get(DB, "b")).isPresent();
            assertThat(storage.get(DB, "c")).as("the torn batch").isEmpty();
        }
        assertThat(Files.size(log)).isEqualTo(lastLineStart).isLessThan(sizeBefore);
        assertThat(warnings.list).singleElement()
                .satisfies(event -> assertThat(event.getFormattedMessage()).contains("crc mismatch"));
    }

    @Test
    void aDamagedLineInTheMiddleIsRefused() throws IOException {
        writeThreeBatches();
        byte[] bytes = Files.readAllBytes(log);
        int firstNewline = indexOf(bytes, (byte) '\n', 0);
        int secondLineDigit = firstNewline + 40;
        bytes[secondLineDigit] ^= 0x01;
        Files.write(log, bytes);

        PydbException e = catchThrowableOfType(PydbException.class, () -> open(StorageOptions.empty()));

        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(e.getMessage()).contains(log.toString()).contains("offset " + (firstNewline + 1));
        assertThat(Files.readAllBytes(log)).as("nothing is truncated").isEqualTo(bytes);
    }

    @Test
    void aLineWithAGoodChecksumAndBadContentIsRefused() throws IOException {
        writeThreeBatches();
        append(log, LogCodec.encode(new LogRecord(9, List.of(new Change.Remove("a"))))); // records 4 to 8 missing
        PydbException e = catchThrowableOfType(PydbException.class, () -> open(StorageOptions.empty()));
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(e.getMessage()).contains(log.toString()).contains("record 9 follows record 3");
    }

    @Test
    void aCorruptSnapshotIsRefused() throws IOException {
        writeThreeBatches();
        String text = Files.readString(snapshot);
        Files.writeString(snapshot, text.substring(0, text.length() / 2));
        PydbException e = catchThrowableOfType(PydbException.class, () -> open(StorageOptions.empty()));
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(e.getMessage()).contains(snapshot.toString()).contains("corrupt");
    }

    @Test
    void aMissingSnapshotIsRefused() throws IOException {
        writeThreeBatches();
        Files.delete(snapshot);
        PydbException e = catchThrowableOfType(PydbException.class, () -> open(StorageOptions.empty()));
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(e.getMessage()).contains(snapshot.toString()).contains("missing");
    }

    @Test
    void filesAreReadableJson() throws IOException {
        try (Storage storage = open(options(1))) {
            storage.createDatabase(DB);
            storage.put(DB, "u1", body("{\"name\": \"Zoë\",  \"tags\": [\"a\", \"b\"], \"price\": 1.10}"), Storage.ANY_REVISION);
            storage.put(DB, "u2", body("{\"n\":1}"), Storage.ANY_REVISION);
        }
        // compact_after_bytes = 1: every batch went into the snapshot
        assertThat(Files.size(log)).isZero();
        String text = Files.readString(snapshot, StandardCharsets.UTF_8);
        assertThat(text).contains("\n  \"documents\" : [");
        JsonNode parsed = MAPPER.readTree(text);
        assertThat(parsed.get("format").asText()).isEqualTo(SnapshotFile.FORMAT);
        assertThat(parsed.get("database").asText()).isEqualTo(DB);
        assertThat(parsed.get("seq").asLong()).isEqualTo(2);
        assertThat(parsed.get("documents")).hasSize(2);
        JsonNode first = parsed.get("documents").get(0);
        assertThat(first.get("key").asText()).isEqualTo("u1");
        assertThat(first.get("rev").asLong()).isEqualTo(1);
        assertThat(first.get("doc").get("name").asText()).isEqualTo("Zoë");
        assertThat(text).as("numbers are copied exactly").contains("\"price\" : 1.10");

        try (Storage storage = open(StorageOptions.empty())) {
            storage.write(DB, List.of(WriteOp.Put.of("u3", body("{\"x\":[1,{\"y\":null}]}")),
                    new WriteOp.Delete("u2", 1)));
            storage.put(DB, "u1", body("{\"name\":\"Zoë\"}"), 1);
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(2);
        JsonNode batch = MAPPER.readTree(lines.get(0));
        assertThat(batch.get("crc").asText()).matches("[0-9a-f]{8}");
        assertThat(batch.get("batch").get("seq").asLong()).isEqualTo(3);
        assertThat(batch.get("batch").get("changes").toString()).isEqualTo(
                "[{\"op\":\"put\",\"key\":\"u3\",\"rev\":1,\"doc\":{\"x\":[1,{\"y\":null}]}},{\"op\":\"delete\",\"key\":\"u2\"}]");
        assertThat(MAPPER.readTree(lines.get(1)).get("batch").get("seq").asLong()).isEqualTo(4);
    }

    @Test
    void bodiesAreStoredCompactWithExactNumbers() {
        String body = "{ \"big\" : 123456789012345678901234567890, \"precise\": 0.1000000000000000000001,"
                + " \"huge\": 1e400, \"text\": \"line\\nbreak\" }";
        String expected = "{\"big\":123456789012345678901234567890,\"precise\":0.1000000000000000000001,"
                + "\"huge\":1E+400,\"text\":\"line\\nbreak\"}";
        try (Storage storage = open(StorageOptions.empty())) {
            storage.createDatabase(DB);
            storage.put(DB, "k", body(body), Storage.ANY_REVISION);
            assertThat(new String(storage.get(DB, "k").orElseThrow().body(), StandardCharsets.UTF_8)).isEqualTo(expected);
        }
        try (Storage reopened = open(StorageOptions.empty())) {
            assertThat(new String(reopened.get(DB, "k").orElseThrow().body(), StandardCharsets.UTF_8)).isEqualTo(expected);
        }
    }

    @Test
    void aBodyThatIsNotAJsonObjectIsABadRequest() {
        try (Storage storage = open(StorageOptions.empty())) {
            storage.createDatabase(DB);
            for (String bad : List.of("[1]", "\"s\"", "{\"a\":", "{} {}", "")) {
                PydbException e = catchThrowableOfType(PydbException.class,
                        () -> storage.write(DB, List.of(WriteOp.Put.of("ok", body("{}")), WriteOp.Put.of("k", bad.getBytes(StandardCharsets.UTF_8)))));
                assertThat(e).as(bad).isNotNull();
                assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                assertThat(e.details()).containsEntry("index", 1);
            }
            assertThat(storage.count(DB)).isZero();
        }
    }

    @Test
    void aKeyWithALoneSurrogateIsABadRequest() {
        try (Storage storage = open(StorageOptions.empty())) {
            storage.createDatabase(DB);
            for (String key : List.of("a\uD800", "\uDC00b", "x\uDE00\uD83Dy")) {
                PydbException e = catchThrowableOfType(PydbException.class,
                        () -> storage.write(DB, List.of(WriteOp.Put.of("ok", body("{}")), WriteOp.Put.of(key, body("{}")))));
                assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                assertThat(e.details()).containsEntry("index", 1);
            }
            assertThat(storage.put(DB, "\uD83D\uDE00", body("{}"), Storage.ANY_REVISION)).isEqualTo(1);
            assertThat(storage.count(DB)).isEqualTo(1);
        }
    }

    @Test
    void anUpdateFunctionThatWritesToTheStorageFailsInsteadOfDeadlocking() {
        try (Storage storage = open(StorageOptions.empty())) {
            storage.createDatabase(DB);
            storage.put(DB, "k", body("{}"), Storage.ANY_REVISION);
            Throwable e = catchThrowableOfType(IllegalStateException.class, () -> storage.write(DB, List.of(
                    new WriteOp.Update("k", current -> {
                        storage.put(DB, "other", body("{}"), Storage.ANY_REVISION);
                        return current;
                    }, Storage.ANY_REVISION))));
            assertThat(e).hasMessageContaining("update function");
            assertThat(storage.get(DB, "other")).isEmpty();
            assertThat(storage.put(DB, "k", body("{\"still\":\"writable\"}"), 1)).isEqualTo(2);
        }
    }

    @Test
    void recordsAlreadyInTheSnapshotAreSkipped() throws IOException {
        // A crash between writing the snapshot and emptying the log leaves old records behind.
        writeThreeBatches();
        byte[] oldLog = Files.readAllBytes(log);
        try (Storage storage = open(options(1))) {
            storage.put(DB, "d", body("{\"n\":5}"), Storage.ANY_REVISION);
        }
        assertThat(Files.size(log)).isZero();
        Files.write(log, oldLog);
        try (Storage storage = open(StorageOptions.empty())) {
            assertThreeBatches(storage);
            assertThat(storage.get(DB, "d")).isPresent();
            storage.put(DB, "e", body("{}"), 0);
        }
        try (Storage storage = open(StorageOptions.empty())) {
            assertThat(storage.count(DB)).isEqualTo(5);
            assertThat(storage.get(DB, "e")).isPresent();
        }
    }

    @Test
    void compactionKeepsEverything() {
        try (Storage storage = open(options(2048))) {
            storage.createDatabase(DB);
            for (int i = 0; i < 200; i++) {
                storage.put(DB, "k" + (i % 50), body("{\"i\":" + i + "}"), Storage.ANY_REVISION);
            }
            storage.delete(DB, "k7", Storage.ANY_REVISION);
        }
        try (Storage storage = open(StorageOptions.empty())) {
            assertThat(storage.count(DB)).isEqualTo(49);
            Document k49 = storage.get(DB, "k49").orElseThrow();
            assertThat(k49.rev()).isEqualTo(4);
            assertThat(new String(k49.body(), StandardCharsets.UTF_8)).isEqualTo("{\"i\":199}");
            assertThat(storage.get(DB, "k7")).isEmpty();
        }
    }

    @Test
    void leftoversOfInterruptedCreatesAndDropsAreRemoved() throws IOException {
        Path databases = root.resolve("databases");
        Files.createDirectories(databases.resolve(".half.creating"));
        Files.writeString(databases.resolve(".half.creating").resolve("snapshot.json"), "{");
        Files.createDirectories(databases.resolve(".old.dropped-123"));
        Files.writeString(databases.resolve("README.txt"), "not a database");
        try (Storage storage = open(StorageOptions.empty())) {
            assertThat(storage.listDatabases()).isEmpty();
            storage.createDatabase("half");
            assertThat(storage.count("half")).isZero();
        }
        assertThat(databases.resolve(".half.creating")).doesNotExist();
        assertThat(databases.resolve(".old.dropped-123")).doesNotExist();
        assertThat(databases.resolve("README.txt")).exists();
    }

    @Test
    void droppingDeletesTheFolder() {
        try (Storage storage = open(StorageOptions.empty())) {
            storage.createDatabase(DB);
            storage.put(DB, "k", body("{}"), Storage.ANY_REVISION);
            assertThat(log.getParent()).isDirectory();
            storage.dropDatabase(DB);
            assertThat(log.getParent()).doesNotExist();
            assertThat(root.resolve("databases")).isEmptyDirectory();
        }
    }

    @Test
    void anUnknownOptionNamesTheKey() {
        ObjectNode options = JsonNodeFactory.instance.objectNode().put("map_size", 1);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> open(StorageOptions.of(options)));
        assertThat(e.key()).isEqualTo("storage.options.map_size");
        assertThat(e.getMessage()).contains("compact_after_bytes");
        assertThat(root).doesNotExist();
    }

    @Test
    void anInvalidOptionValueNamesTheKey() {
        for (ObjectNode options : List.of(
                JsonNodeFactory.instance.objectNode().put("compact_after_bytes", "big"),
                JsonNodeFactory.instance.objectNode().put("compact_after_bytes", 0))) {
            ConfigException e = catchThrowableOfType(ConfigException.class, () -> open(StorageOptions.of(options)));
            assertThat(e.key()).isEqualTo("storage.options.compact_after_bytes");
        }
    }

    @Test
    void theProviderIsFoundByName() {
        assertThat(ServiceLoader.load(StorageProvider.class).stream()
                .map(provider -> provider.get().name())).contains("json");
    }

    // ------------------------------------------------------------------ helpers

    private Storage open(StorageOptions options) {
        return new JsonStorageProvider().open(new StorageConfig(root, options), KitStorageContext.at(tempDir));
    }

    private static StorageOptions options(long compactAfterBytes) {
        return StorageOptions.of(JsonNodeFactory.instance.objectNode().put("compact_after_bytes", compactAfterBytes));
    }

    private static byte[] body(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /** Three log records: 1 = put a, b; 2 = put a again; 3 = put c. */
    private void writeThreeBatches() {
        try (Storage storage = open(StorageOptions.empty())) {
            storage.createDatabase(DB);
            storage.write(DB, List.of(WriteOp.Put.of("a", body("{\"n\":1}")), WriteOp.Put.of("b", body("{\"n\":2}"))));
            storage.put(DB, "a", body("{\"n\":3}"), 1);
            storage.insert(DB, "c", body("{\"n\":4}"));
        }
        assertThat(log).isNotEmptyFile();
    }

    private static void assertThreeBatches(Storage storage) {
        Optional<Document> a = storage.get(DB, "a");
        assertThat(a).isPresent();
        assertThat(a.get().rev()).isEqualTo(2);
        assertThat(storage.get(DB, "b")).isPresent();
        assertThat(storage.get(DB, "c")).isPresent();
    }

    private byte[] lastLine() throws IOException {
        byte[] bytes = Files.readAllBytes(log);
        int start = sizeBeforeLastLine(bytes);
        return Arrays.copyOfRange(bytes, start, bytes.length);
    }

    private static int sizeBeforeLastLine(byte[] bytes) {
        int i = bytes.length - 2;
        while (i >= 0 && bytes[i] != '\n') {
            i--;
        }
        return i + 1;
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static void append(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes, StandardOpenOption.APPEND);
    }
}
