package dev.pydb.storage.json;

import static dev.pydb.storage.json.JsonTesting.body;
import static dev.pydb.storage.json.JsonTesting.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

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
import dev.pydb.api.storage.StorageContext;
import dev.pydb.api.storage.StorageMetrics;
import dev.pydb.api.storage.StorageOptions;
import dev.pydb.api.storage.StorageProvider;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.storage.tck.KitStorageContext;
import dev.pydb.storage.toolkit.file.FilePermissions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The json backend's own promises about its files: formats, readability, exact numbers, modes, options. */
final class JsonStorageFilesTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String DB = "shop";

    @TempDir
    Path tempDir;

    private Path root;
    private Path snapshot;

    @BeforeEach
    void setUp() {
        root = tempDir.resolve("data");
        snapshot = root.resolve("databases").resolve(DB).resolve("snapshot.json");
    }

    @Test
    void snapshotsAreReadableJsonWithAChecksumPerDocument() throws IOException {
        try (Storage storage = JsonTesting.open(root)) {
            storage.createDatabase(DB);
            storage.put(DB, "u1", body("{\"name\": \"Zoë\",  \"tags\": [\"a\", \"b\"], \"price\": 1.10}"), Storage.ANY_REVISION);
            storage.write(DB, List.of(WriteOp.Put.of("u2", body("{\"n\":1}")), WriteOp.Put.of("u3", body("{}"))));
            storage.delete(DB, "u3", Storage.ANY_REVISION);
        } // close checkpoints: the snapshot holds everything
        String text = Files.readString(snapshot);
        assertThat(text).contains("\n  \"documents\" : [");
        JsonNode parsed = MAPPER.readTree(text);
        assertThat(parsed.get("format").asText()).isEqualTo("pydb-json-snapshot/2");
        assertThat(parsed.get("database").asText()).isEqualTo(DB);
        assertThat(parsed.get("seq").asLong()).isEqualTo(3);
        assertThat(parsed.get("documents")).hasSize(2);
        JsonNode first = parsed.get("documents").get(0);
        assertThat(first.get("key").asText()).isEqualTo("u1");
        assertThat(first.get("rev").asLong()).isEqualTo(1);
        assertThat(first.get("doc").get("name").asText()).isEqualTo("Zoë");
        assertThat(first.get("crc").asText()).matches("[0-9a-f]{8}")
                .isEqualTo(DocumentChecksum.of("u1", 1, body("{\"name\":\"Zoë\",\"tags\":[\"a\",\"b\"],\"price\":1.10}")));
        assertThat(text).as("numbers are copied exactly").contains("\"price\" : 1.10");
        JsonNode checkpoint = MAPPER.readTree(root.resolve("checkpoint.json").toFile());
        assertThat(checkpoint.get("format").asText()).isEqualTo("pydb-json-checkpoint/1");
        assertThat(checkpoint.get("seq").asLong()).isEqualTo(3);
    }

    @Test
    void logRecordsAreCompactJsonInsideTheirFrames() throws IOException {
        try (JsonStorage storage = JsonTesting.open(root)) {
            storage.createDatabase(DB);
            storage.write(DB, List.of(WriteOp.Put.of("u3", body("{\"x\":[1,{\"y\":null}]}")), WriteOp.Put.of("u2", body("{}"))));
            storage.delete(DB, "u2", Storage.ANY_REVISION);
            String segment = text(Files.readAllBytes(JsonTesting.segments(root).get(0)));
            assertThat(segment).contains("{\"db\":\"shop\",\"changes\":[{\"op\":\"put\",\"key\":\"u3\",\"rev\":1,\"doc\":{\"x\":[1,{\"y\":null}]}},"
                    + "{\"op\":\"put\",\"key\":\"u2\",\"rev\":1,\"doc\":{}}]}");
            assertThat(segment).contains("{\"db\":\"shop\",\"changes\":[{\"op\":\"delete\",\"key\":\"u2\"}]}");
        }
    }

    @Test
    void bodiesAreStoredCompactWithExactNumbers() {
        String body = "{ \"big\" : 123456789012345678901234567890, \"precise\": 0.1000000000000000000001,"
                + " \"huge\": 1e400, \"text\": \"line\\nbreak\" }";
        String expected = "{\"big\":123456789012345678901234567890,\"precise\":0.1000000000000000000001,"
                + "\"huge\":1E+400,\"text\":\"line\\nbreak\"}";
        try (Storage storage = JsonTesting.open(root)) {
            storage.createDatabase(DB);
            storage.put(DB, "k", body(body), Storage.ANY_REVISION);
            assertThat(text(storage.get(DB, "k").orElseThrow().body())).isEqualTo(expected);
        }
        try (Storage reopened = JsonTesting.open(root)) {
            assertThat(text(reopened.get(DB, "k").orElseThrow().body())).isEqualTo(expected);
        }
    }

    @Test
    void aBodyThatIsNotAJsonObjectIsABadRequest() {
        try (Storage storage = JsonTesting.open(root)) {
            storage.createDatabase(DB);
            for (String bad : List.of("[1]", "\"s\"", "{\"a\":", "{} {}", "")) {
                PydbException e = catchThrowableOfType(PydbException.class,
                        () -> storage.write(DB, List.of(WriteOp.Put.of("ok", body("{}")), WriteOp.Put.of("k", body(bad)))));
                assertThat(e).as(bad).isNotNull();
                assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                assertThat(e.details()).containsEntry("index", 1);
            }
            assertThat(storage.count(DB)).isZero();
        }
    }

    @Test
    void aKeyWithALoneSurrogateIsABadRequest() {
        try (Storage storage = JsonTesting.open(root)) {
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
        try (Storage reopened = JsonTesting.open(root)) {
            assertThat(reopened.get(DB, "\uD83D\uDE00")).isPresent();
        }
    }

    @Test
    void anUpdateFunctionThatWritesToTheStorageFailsInsteadOfDeadlocking() {
        try (Storage storage = JsonTesting.open(root)) {
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
    void checkpointsKeepEverythingAndKeepTheLogShort() throws IOException {
        try (JsonStorage storage = JsonTesting.open(root, 2048)) {
            storage.createDatabase(DB);
            for (int i = 0; i < 400; i++) {
                storage.put(DB, "k" + (i % 50), body("{\"i\":" + i + ",\"pad\":\"" + "p".repeat(40) + "\"}"), Storage.ANY_REVISION);
            }
            storage.delete(DB, "k7", Storage.ANY_REVISION);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> storage.log().bytesSinceCheckpoint() < 2048 * 4);
            assertThat(Files.readString(snapshot)).contains("\"key\" : \"k49\"");
        }
        try (Storage storage = JsonTesting.open(root)) {
            assertThat(storage.count(DB)).isEqualTo(49);
            Document k49 = storage.get(DB, "k49").orElseThrow();
            assertThat(k49.rev()).isEqualTo(8);
            assertThat(text(k49.body())).startsWith("{\"i\":399,");
            assertThat(storage.get(DB, "k7")).isEmpty();
        }
        long logBytes = 0;
        for (Path segment : JsonTesting.segments(root)) {
            logBytes += Files.size(segment);
        }
        assertThat(logBytes).as("checkpointed segments are deleted").isLessThan(400 * 100);
    }

    @Test
    void leftoversOfInterruptedCreatesAndDropsAreRemoved() throws IOException {
        Path databases = root.resolve("databases");
        Files.createDirectories(databases.resolve(".half.creating"));
        Files.writeString(databases.resolve(".half.creating").resolve("snapshot.json"), "{");
        Files.createDirectories(databases.resolve(".old.dropped-123"));
        Files.writeString(databases.resolve("README.txt"), "not a database");
        try (Storage storage = JsonTesting.open(root)) {
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
        try (Storage storage = JsonTesting.open(root)) {
            storage.createDatabase(DB);
            storage.put(DB, "k", body("{}"), Storage.ANY_REVISION);
            assertThat(snapshot.getParent()).isDirectory();
            storage.dropDatabase(DB);
            assertThat(snapshot.getParent()).doesNotExist();
            assertThat(root.resolve("databases")).isEmptyDirectory();
        }
    }

    @Test
    void filesAreOwnerOnly() throws IOException {
        try (Storage storage = JsonTesting.open(root)) {
            storage.createDatabase(DB);
            storage.put(DB, "k", body("{}"), Storage.ANY_REVISION);
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path path : all.toList()) {
                assertThat(Files.getPosixFilePermissions(path)).as("%s", path)
                        .isEqualTo(Files.isDirectory(path) ? FilePermissions.DIRECTORY : FilePermissions.FILE);
            }
        }
    }

    @Test
    void commitsAndCheckpointsAreReportedToTheMetrics() {
        AtomicInteger commits = new AtomicInteger();
        AtomicInteger checkpoints = new AtomicInteger();
        StorageMetrics metrics = new StorageMetrics() {
            @Override
            public void commitCompleted(int requests, long bytes, long nanos) {
                assertThat(requests).isPositive();
                assertThat(bytes).isPositive();
                commits.incrementAndGet();
            }

            @Override
            public void checkpointCompleted(long nanos) {
                checkpoints.incrementAndGet();
            }
        };
        StorageContext context = new StorageContext() {
            @Override
            public Path homeDirectory() {
                return tempDir;
            }

            @Override
            public String serverVersion() {
                return "test";
            }

            @Override
            public StorageMetrics metrics() {
                return metrics;
            }
        };
        try (Storage storage = new JsonStorageProvider().open(new StorageConfig(root, StorageOptions.empty()), context)) {
            storage.createDatabase(DB);
            storage.put(DB, "a", body("{}"), Storage.ANY_REVISION);
            storage.put(DB, "b", body("{}"), Storage.ANY_REVISION);
        }
        assertThat(commits).hasValue(2);
        assertThat(checkpoints).as("the checkpoint at close").hasValue(1);
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
    void theProviderIsFoundByNameAndOffersAVerifier() {
        assertThat(ServiceLoader.load(StorageProvider.class).stream().map(provider -> provider.get().name())).contains("json");
        assertThat(new JsonStorageProvider().verifier()).isPresent();
    }

    private Storage open(StorageOptions options) {
        return new JsonStorageProvider().open(new StorageConfig(root, options), KitStorageContext.at(tempDir));
    }
}
