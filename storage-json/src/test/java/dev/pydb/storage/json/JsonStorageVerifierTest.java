package dev.pydb.storage.json;

import static dev.pydb.storage.json.JsonTesting.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageOptions;
import dev.pydb.api.storage.StorageVerifier;
import dev.pydb.storage.tck.KitStorageContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/pydb verify for json: every snapshot document and log record checked, every damage reported with its place, no file changed. */
final class JsonStorageVerifierTest {
    @TempDir
    Path tempDir;

    private StorageVerifier.Report verify(Path root) {
        return new JsonStorageVerifier().verify(new StorageConfig(root, StorageOptions.empty()), KitStorageContext.at(tempDir),
                StorageVerifier.Progress.NONE);
    }

    @Test
    void aCleanStorageIsCleanWithItsCounts() throws IOException {
        Path root = tempDir.resolve("data");
        Path crashed;
        try (Storage storage = JsonTesting.open(root)) {
            storage.createDatabase("a");
            storage.createDatabase("b");
            for (int i = 0; i < 10; i++) {
                storage.put(i % 2 == 0 ? "a" : "b", "k" + i, body("{\"text\":\"value\"}"), Storage.ANY_REVISION);
            }
            crashed = JsonTesting.crashImage(root, tempDir.resolve("crashed"));
        }
        StorageVerifier.Report closed = verify(root);
        assertThat(closed.clean()).isTrue();
        assertThat(closed.databases()).isEqualTo(2);
        assertThat(closed.documents()).isEqualTo(10);
        StorageVerifier.Report running = verify(crashed);
        assertThat(running.clean()).isTrue();
        assertThat(running.documents()).as("in the snapshots").isZero();
        assertThat(running.logRecords()).isEqualTo(10);
    }

    @Test
    void everyDamageIsReportedWithFileDatabaseKeyAndOffsetAndNothingChanges() throws IOException {
        Path root = tempDir.resolve("data");
        try (Storage storage = JsonTesting.open(root)) {
            storage.createDatabase("a");
            storage.createDatabase("b");
            for (int i = 0; i < 6; i++) {
                storage.put(i % 2 == 0 ? "a" : "b", "k" + i, body("{\"text\":\"value\"}"), Storage.ANY_REVISION);
            }
        }
        long k0 = JsonTesting.flipOneBitOfDocument(root, "a", "k0");
        long k3 = JsonTesting.flipOneBitOfDocument(root, "b", "k3");
        Path crashed;
        try (Storage storage = JsonTesting.open(root)) {
            storage.put("a", "more", body("{}"), Storage.ANY_REVISION);
            storage.put("a", "more", body("{\"again\":1}"), Storage.ANY_REVISION);
            crashed = JsonTesting.crashImage(root, tempDir.resolve("crashed"));
        }
        Path segment = JsonTesting.segments(crashed).get(JsonTesting.segments(crashed).size() - 1);
        JsonTesting.flipBit(segment, 32 + 24 + 3, 2); // the first record, with another after it
        Map<Path, byte[]> before = contents(crashed);

        StorageVerifier.Report report = verify(crashed);

        assertThat(report.clean()).isFalse();
        assertThat(report.damage()).hasSize(3);
        assertThat(report.damage()).anySatisfy(d -> {
            assertThat(d.database()).isEqualTo("a");
            assertThat(d.key()).isEqualTo("k0");
            assertThat(d.file()).endsWith("databases/a/snapshot.json");
            assertThat(d.offset()).isBetween(0L, k0);
            assertThat(d.problem()).contains("checksum mismatch");
        });
        assertThat(report.damage()).anySatisfy(d -> assertThat(d.key()).isEqualTo("k3"));
        assertThat(report.damage()).anySatisfy(d -> {
            assertThat(d.file()).isEqualTo(segment.toString());
            assertThat(d.offset()).isEqualTo(32);
        });
        assertThat(contents(crashed)).as("nothing changed").containsExactlyInAnyOrderEntriesOf(before);
    }

    @Test
    void aFolderThatIsNoJsonStorageCannotBeVerified() throws IOException {
        Files.createDirectories(tempDir.resolve("empty"));
        PydbException e = catchThrowableOfType(PydbException.class, () -> verify(tempDir.resolve("empty")));
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
    }

    private static Map<Path, byte[]> contents(Path root) throws IOException {
        Map<Path, byte[]> contents = new HashMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                contents.put(file, Files.readAllBytes(file));
            }
        }
        return contents;
    }
}
