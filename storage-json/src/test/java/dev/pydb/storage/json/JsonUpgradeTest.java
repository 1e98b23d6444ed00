package dev.pydb.storage.json;

import static dev.pydb.storage.json.JsonTesting.body;
import static dev.pydb.storage.json.JsonTesting.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageOptions;
import dev.pydb.api.storage.StorageVerifier;
import dev.pydb.storage.tck.KitStorageContext;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data folder written by 0.1.0 (src/test/resources/json-0.1.0: format-1 snapshots without
 * checksums and a log.jsonl per database, made by the 0.1.0 code) opens, and is upgraded in place
 * at its first open: the old log replayed strictly, a checksummed snapshot written, the old log
 * deleted.
 */
final class JsonUpgradeTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path tempDir;

    private Path root;
    private Path shopLog;
    private ListAppender<ILoggingEvent> log;

    @BeforeEach
    void setUp() throws IOException, URISyntaxException {
        root = tempDir.resolve("data");
        Path fixture = Path.of(JsonUpgradeTest.class.getResource("/json-0.1.0/databases").toURI());
        try (Stream<Path> files = Files.walk(fixture)) {
            for (Path file : files.toList()) {
                Path target = root.resolve("databases").resolve(fixture.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
        shopLog = root.resolve("databases/shop/log.jsonl");
        log = JsonTesting.captureLog(LegacyLog.class);
    }

    @AfterEach
    void tearDown() {
        JsonTesting.stopCapturing(LegacyLog.class, log);
    }

    @Test
    void a010FolderOpensWithAllItsDataAndIsUpgradedInPlace() throws IOException {
        try (Storage storage = JsonTesting.open(root)) {
            assertFixtureContent(storage);
            storage.put("shop", "after-upgrade", body("{}"), 0);
        }
        for (String db : List.of("shop", "logs", "empty")) {
            Path folder = root.resolve("databases").resolve(db);
            assertThat(folder.resolve("log.jsonl")).as("the old log is gone").doesNotExist();
            JsonNode snapshot = MAPPER.readTree(folder.resolve("snapshot.json").toFile());
            assertThat(snapshot.get("format").asText()).isEqualTo("pydb-json-snapshot/2");
            snapshot.get("documents").forEach(d -> assertThat(d.get("crc").asText()).matches("[0-9a-f]{8}"));
        }
        try (Storage storage = JsonTesting.open(root)) {
            assertThat(storage.get("shop", "after-upgrade")).isPresent();
            storage.delete("shop", "after-upgrade", Storage.ANY_REVISION);
            assertFixtureContent(storage);
        }
        assertThat(new JsonStorageVerifier().verify(new StorageConfig(root, StorageOptions.empty()), KitStorageContext.at(tempDir),
                StorageVerifier.Progress.NONE).clean()).isTrue();
    }

    @Test
    void aTornLastLineOfTheOldLogIsCutWithAWarning() throws IOException {
        long size = Files.size(shopLog);
        Files.write(shopLog, "{\"crc\":\"0000".getBytes(), StandardOpenOption.APPEND);
        try (Storage storage = JsonTesting.open(root)) {
            assertFixtureContent(storage);
        }
        assertThat(log.list).filteredOn(e -> e.getLevel() == Level.WARN).singleElement()
                .satisfies(e -> assertThat(e.getFormattedMessage()).contains(shopLog.toString()).contains("offset " + size));
    }

    @Test
    void aDamagedLineInTheMiddleOfTheOldLogRefusesTheStartAndChangesNothing() throws IOException {
        byte[] bytes = Files.readAllBytes(shopLog);
        int secondLine = new String(bytes, StandardCharsets.ISO_8859_1).indexOf('\n') + 1;
        bytes[secondLine + 40] ^= 0x01;
        Files.write(shopLog, bytes);
        PydbException e = catchThrowableOfType(PydbException.class, () -> JsonTesting.open(root).close());
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(e.getMessage()).contains(shopLog.toString()).contains("offset " + secondLine);
        assertThat(Files.readAllBytes(shopLog)).isEqualTo(bytes);
        assertThat(Files.readString(root.resolve("databases/shop/snapshot.json"))).contains("pydb-json-snapshot/1");
    }

    @Test
    void anUpgradeInterruptedAfterItsSnapshotIsFinishedWithoutReplayingTheOldLogTwice() throws IOException {
        byte[] oldLog = Files.readAllBytes(shopLog);
        try (Storage storage = JsonTesting.open(root)) {
            storage.put("shop", "item-2", body("{\"back\":true}"), 0);
        }
        Files.write(shopLog, oldLog); // as if the upgrade had stopped before deleting it
        try (Storage storage = JsonTesting.open(root)) {
            assertThat(storage.get("shop", "item-2")).as("the old log's delete is not applied again").isPresent();
            assertThat(storage.get("shop", "item-1").orElseThrow().rev()).isEqualTo(2);
        }
        assertThat(shopLog).doesNotExist();
    }

    private static void assertFixtureContent(Storage storage) {
        assertThat(storage.listDatabases()).containsExactly("empty", "logs", "shop");
        assertThat(storage.count("empty")).isZero();
        Document l1 = storage.get("logs", "l1").orElseThrow();
        assertThat(l1.rev()).isEqualTo(2);
        assertThat(text(l1.body())).isEqualTo("{\"level\":\"warn\"}");
        assertThat(storage.count("shop")).isEqualTo(13);
        assertThat(text(storage.get("shop", "item-1").orElseThrow().body()))
                .isEqualTo("{\"name\":\"Item one\",\"big\":123456789012345678901234567890}");
        assertThat(storage.get("shop", "item-2")).isEmpty();
        assertThat(text(storage.get("shop", "item-0").orElseThrow().body())).isEqualTo("{\"name\":\"Item 0\",\"price\":1.10,\"tags\":[\"a\",\"b\"]}");
        assertThat(storage.get("shop", "item-11").orElseThrow().rev()).isEqualTo(1);
        assertThat(text(storage.get("shop", "z\u00fc\uD83D\uDE00").orElseThrow().body())).isEqualTo("{\"text\":\"Zo\u00eb line\\nbreak\"}");
        assertThat(storage.get("shop", "new")).isPresent();
    }
}
