package dev.pydb.storage.mapdb;

import static dev.pydb.storage.mapdb.Stores.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.WriteOp;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash images: the files of a storage copied while it is open, after its writes were
 * acknowledged and before any close, are what {@code kill -9} leaves (the page cache keeps every
 * written byte). Opening such a copy must find every acknowledged write.
 */
class OperationLogRecoveryTest {
    @TempDir
    Path dir;

    @Test
    void writesAfterTheLastCheckpointAreReplayedFromTheOperationLog() throws IOException {
        Path crashed = dir.resolve("crashed");
        try (MapdbStorage storage = Stores.open(dir.resolve("live"))) {
            storage.createDatabase("shop");
            storage.put("shop", "a", json("{\"v\":1}"), Storage.ANY_REVISION);
            storage.put("shop", "a", json("{\"v\":2}"), Storage.ANY_REVISION);
            storage.write("shop", List.of(WriteOp.Put.of("b", json("{}")), WriteOp.Put.of("c", json("{}"))));
            storage.delete("shop", "c", Storage.ANY_REVISION);
            storage.createDatabase("gone");
            storage.put("gone", "x", json("{}"), Storage.ANY_REVISION);
            storage.dropDatabase("gone");
            assertThat(Files.size(dir.resolve("live/pydb.mapdb.oplog"))).isPositive();
            copyFiles(dir.resolve("live"), crashed);
        }

        try (MapdbStorage reopened = Stores.open(crashed)) {
            assertThat(reopened.listDatabases()).containsExactly("shop");
            assertThat(reopened.get("shop", "a")).contains(new Document("a", 2, json("{\"v\":2}")));
            assertThat(reopened.get("shop", "b")).isPresent();
            assertThat(reopened.get("shop", "c")).isEmpty();
            assertThat(reopened.count("shop")).isEqualTo(2);
        }
        assertThat(Files.size(crashed.resolve("pydb.mapdb.oplog"))).isZero();
    }

    @Test
    void checkpointsEmptyTheLogAndReplayStartsAfterTheLastOne() throws IOException {
        Path crashed = dir.resolve("crashed");
        try (MapdbStorage storage = Stores.open(dir.resolve("live"), options -> options.put("checkpoint_ops", 5))) {
            storage.createDatabase("shop");
            for (int i = 0; i < 23; i++) {
                storage.put("shop", "k" + i, json("{\"i\":" + i + "}"), Storage.ANY_REVISION);
            }
            copyFiles(dir.resolve("live"), crashed);
        }

        try (MapdbStorage reopened = Stores.open(crashed)) {
            assertThat(reopened.count("shop")).isEqualTo(23);
            assertThat(reopened.scan("shop", null, 100)).hasSize(23);
            assertThat(reopened.get("shop", "k22")).map(Document::rev).contains(1L);
        }
    }

    @Test
    void aTornRecordAtTheEndIsIgnored() throws IOException {
        Path live = dir.resolve("live");
        Path crashed = dir.resolve("crashed");
        try (MapdbStorage storage = Stores.open(live)) {
            storage.createDatabase("shop");
            storage.put("shop", "kept", json("{}"), Storage.ANY_REVISION);
            copyFiles(live, crashed);
        }
        // an append that was cut short: a header promising more bytes than follow
        ByteBuffer torn = ByteBuffer.allocate(20).putInt(1000).putInt(0).putLong(99).putInt(7).flip();
        Files.write(crashed.resolve("pydb.mapdb.oplog"), torn.array(), StandardOpenOption.APPEND);

        try (MapdbStorage reopened = Stores.open(crashed)) {
            assertThat(reopened.get("shop", "kept")).isPresent();
            reopened.put("shop", "after", json("{}"), Storage.ANY_REVISION);
        }
        try (MapdbStorage again = Stores.open(crashed)) {
            assertThat(again.count("shop")).isEqualTo(2);
        }
    }

    @Test
    void aGroupCommitAppendsOneRecordAndDoesNotCommitMapdb() throws IOException {
        try (MapdbStorage storage = Stores.open(dir)) {
            storage.createDatabase("shop");
            long logBefore = Files.size(dir.resolve("pydb.mapdb.oplog"));
            long storeBefore = Files.size(dir.resolve("pydb.mapdb"));
            long storeModified = Files.getLastModifiedTime(dir.resolve("pydb.mapdb")).toMillis();

            storage.put("shop", "k", json("{\"big\":\"" + "x".repeat(100_000) + "\"}"), Storage.ANY_REVISION);

            assertThat(Files.size(dir.resolve("pydb.mapdb.oplog"))).isGreaterThan(logBefore + 100_000);
            assertThat(Files.size(dir.resolve("pydb.mapdb"))).isEqualTo(storeBefore);
            assertThat(Files.getLastModifiedTime(dir.resolve("pydb.mapdb")).toMillis()).isEqualTo(storeModified);
        }
    }

    private static void copyFiles(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : files.toList()) {
                if (!file.getFileName().toString().endsWith(".lock")) {
                    Files.copy(file, to.resolve(file.getFileName()));
                }
            }
        }
    }
}
