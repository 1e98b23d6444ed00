package dev.pydb.storage.mapdb;

import static dev.pydb.storage.mapdb.Stores.json;
import static dev.pydb.storage.mapdb.Stores.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.KeyOrder;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageClosedException;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.api.storage.WriteResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MapdbStorageTest {
    @TempDir
    Path dir;

    private MapdbStorage storage;

    @BeforeEach
    void open() {
        storage = Stores.open(dir);
        storage.createDatabase("shop");
    }

    @AfterEach
    void close() {
        storage.close();
    }

    @Test
    void databasesAreCreatedListedInOrderAndDropped() {
        storage.createDatabase("a-b");
        storage.createDatabase("Zed");

        assertThat(storage.listDatabases()).containsExactly("Zed", "a-b", "shop");
        assertThat(storage.databaseExists("a-b")).isTrue();
        assertCode(() -> storage.createDatabase("shop"), ErrorCode.DB_EXISTS);

        storage.dropDatabase("a-b");

        assertThat(storage.listDatabases()).containsExactly("Zed", "shop");
        assertCode(() -> storage.dropDatabase("a-b"), ErrorCode.DB_NOT_FOUND);
        assertCode(() -> storage.get("a-b", "k"), ErrorCode.DB_NOT_FOUND);
        assertCode(() -> storage.count("a-b"), ErrorCode.DB_NOT_FOUND);
        assertCode(() -> storage.scan("a-b", null, 10), ErrorCode.DB_NOT_FOUND);
        assertCode(() -> storage.put("a-b", "k", json("{}"), Storage.ANY_REVISION), ErrorCode.DB_NOT_FOUND);
    }

    @Test
    void invalidDatabaseNameIsRefused() {
        assertCode(() -> storage.createDatabase("a\u0000b"), ErrorCode.BAD_REQUEST);
        assertCode(() -> storage.createDatabase("../x"), ErrorCode.BAD_REQUEST);
    }

    @Test
    void everyWriteBumpsTheRevision() {
        assertThat(storage.put("shop", "u1", json("{\"n\":1}"), Storage.ANY_REVISION)).isEqualTo(1);
        assertThat(storage.put("shop", "u1", json("{\"n\":2}"), 1)).isEqualTo(2);

        assertThat(storage.get("shop", "u1")).contains(new Document("u1", 2, json("{\"n\":2}")));
        assertThat(storage.get("shop", "nope")).isEmpty();
    }

    @Test
    void revisionChecksFailWithConflict() {
        storage.put("shop", "u1", json("{}"), Storage.ANY_REVISION);

        assertCode(() -> storage.put("shop", "u1", json("{}"), 0), ErrorCode.CONFLICT);
        assertCode(() -> storage.put("shop", "u1", json("{}"), 7), ErrorCode.CONFLICT);
        assertCode(() -> storage.put("shop", "u2", json("{}"), 1), ErrorCode.CONFLICT);
        assertCode(() -> storage.delete("shop", "u1", 3), ErrorCode.CONFLICT);
        assertCode(() -> storage.insert("shop", "u1", json("{}")), ErrorCode.KEY_EXISTS);
        assertCode(() -> storage.delete("shop", "u9", Storage.ANY_REVISION), ErrorCode.NOT_FOUND);
        assertThat(storage.get("shop", "u1").orElseThrow().rev()).isEqualTo(1);
    }

    @Test
    void keysIterateInCodePointOrder() {
        List<String> keys = List.of("b", "a", "a\u0000", "\u007f", "\u0080", "é", "\uffff", "\ud83d\ude00", "\u4e2d", "aa");
        keys.forEach(key -> storage.insert("shop", key, json("{}")));

        List<String> scanned = storage.scan("shop", null, 100).stream().map(Document::key).toList();

        assertThat(scanned).isEqualTo(keys.stream().sorted(KeyOrder.COMPARATOR).toList());
        // The emoji (U+1F600) sorts after U+FFFF by code point, although its UTF-16 form sorts before.
        assertThat(scanned.indexOf("\ud83d\ude00")).isGreaterThan(scanned.indexOf("\uffff"));
    }

    @Test
    void scanPagesWithinOneDatabaseOnly() {
        storage.createDatabase("sho");
        storage.createDatabase("shop2");
        storage.insert("sho", "x", json("{}"));
        storage.insert("shop2", "a", json("{}"));
        for (int i = 0; i < 25; i++) {
            storage.insert("shop", String.format("k%02d", i), json("{\"i\":" + i + "}"));
        }

        List<Document> first = storage.scan("shop", null, 10);
        List<Document> second = storage.scan("shop", first.get(9).key(), 10);
        List<Document> last = storage.scan("shop", second.get(9).key(), 10);

        assertThat(first).extracting(Document::key).startsWith("k00").endsWith("k09");
        assertThat(second).extracting(Document::key).startsWith("k10").endsWith("k19");
        assertThat(last).extracting(Document::key).containsExactly("k20", "k21", "k22", "k23", "k24");
        assertThat(text(last.get(4).body())).isEqualTo("{\"i\":24}");
        assertThat(storage.scan("shop", "k24", 10)).isEmpty();
        assertThat(storage.scan("shop", "a-key-before-all", 1)).extracting(Document::key).containsExactly("k00");
        assertThat(storage.scan("shop", null, 0)).isEmpty();
    }

    @Test
    void countFollowsEveryKindOfWrite() {
        storage.insert("shop", "a", json("{}"));
        storage.put("shop", "b", json("{}"), Storage.ANY_REVISION);
        storage.put("shop", "b", json("{}"), Storage.ANY_REVISION);
        storage.write("shop", List.of(WriteOp.Put.of("c", json("{}")), new WriteOp.Delete("a", Storage.ANY_REVISION),
                WriteOp.Put.of("a", json("{}")), new WriteOp.Delete("c", Storage.ANY_REVISION)));

        assertThat(storage.count("shop")).isEqualTo(2);

        storage.dropDatabase("shop");
        storage.createDatabase("shop");

        assertThat(storage.count("shop")).isZero();
        assertThat(storage.scan("shop", null, 10)).isEmpty();
    }

    @Test
    void batchSeesItsOwnEarlierOperations() {
        List<WriteResult> results = storage.write("shop", List.of(
                new WriteOp.Insert("k", json("{\"n\":1}")),
                new WriteOp.Update("k", body -> json(text(body).replace("1", "2")), 1),
                new WriteOp.Put("k", json("{\"n\":3}"), 2),
                WriteOp.Put.of("other", json("{}"))));

        assertThat(results).containsExactly(WriteResult.written("k", 1), WriteResult.written("k", 2),
                WriteResult.written("k", 3), WriteResult.written("other", 1));
        assertThat(storage.get("shop", "k").orElseThrow()).isEqualTo(new Document("k", 3, json("{\"n\":3}")));
    }

    @Test
    void failingBatchAppliesNothingAndNamesTheFailingIndex() {
        storage.insert("shop", "taken", json("{\"v\":0}"));

        assertThatThrownBy(() -> storage.write("shop", List.of(
                WriteOp.Put.of("new", json("{}")),
                new WriteOp.Update("taken", body -> json("{\"v\":1}"), Storage.ANY_REVISION),
                new WriteOp.Insert("taken", json("{}")))))
                .isInstanceOfSatisfying(PydbException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.KEY_EXISTS);
                    assertThat(e.details()).containsEntry("index", 2);
                });

        assertThat(storage.get("shop", "new")).isEmpty();
        assertThat(storage.get("shop", "taken").orElseThrow()).isEqualTo(new Document("taken", 1, json("{\"v\":0}")));
        assertThat(storage.count("shop")).isEqualTo(1);
    }

    @Test
    void updateFailingInsideTheBatchAppliesNothing() {
        storage.insert("shop", "k", json("{}"));

        assertThatThrownBy(() -> storage.write("shop", List.of(
                WriteOp.Put.of("first", json("{}")),
                new WriteOp.Update("k", body -> {
                    throw PydbException.badRequest("patch does not apply");
                }, Storage.ANY_REVISION))))
                .isInstanceOfSatisfying(PydbException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                    assertThat(e.details()).containsEntry("index", 1);
                });
        assertCode(() -> storage.write("shop", List.of(new WriteOp.Update("absent", b -> b, Storage.ANY_REVISION))),
                ErrorCode.NOT_FOUND);
        assertThat(storage.get("shop", "first")).isEmpty();
    }

    @Test
    void keyWithALoneSurrogateIsRefused() {
        assertCode(() -> storage.put("shop", "a\ud800", json("{}"), Storage.ANY_REVISION), ErrorCode.BAD_REQUEST);
        assertCode(() -> storage.get("shop", "\udc00"), ErrorCode.BAD_REQUEST);
    }

    @Test
    void emptyBatchNeedsAnExistingDatabase() {
        assertThat(storage.write("shop", List.of())).isEmpty();
        assertCode(() -> storage.write("absent", List.of()), ErrorCode.DB_NOT_FOUND);
    }

    @Test
    void dataSurvivesReopening() {
        storage.insert("shop", "k", json("{\"a\":1}"));
        storage.createDatabase("other");
        storage.close();

        storage = Stores.open(dir);

        assertThat(storage.listDatabases()).containsExactly("other", "shop");
        assertThat(storage.get("shop", "k")).contains(new Document("k", 1, json("{\"a\":1}")));
        assertThat(storage.count("shop")).isEqualTo(1);
    }

    @Test
    void closeIsIdempotentAndLaterCallsFailAsClosed() {
        storage.close();
        storage.close();

        List<Runnable> calls = List.of(
                () -> storage.createDatabase("x"),
                () -> storage.dropDatabase("shop"),
                storage::listDatabases,
                () -> storage.databaseExists("shop"),
                () -> storage.get("shop", "k"),
                () -> storage.scan("shop", null, 1),
                () -> storage.count("shop"),
                () -> storage.put("shop", "k", json("{}"), Storage.ANY_REVISION));
        for (Runnable call : calls) {
            assertThatThrownBy(call::run).isInstanceOf(StorageClosedException.class)
                    .extracting(e -> ((PydbException) e).code()).isEqualTo(ErrorCode.UNAVAILABLE);
        }
    }

    @Test
    void concurrentWritersShareCommits() throws Exception {
        int writers = 16;
        int perWriter = 20;
        long commitsBefore = storage.commits();
        try (ExecutorService pool = Executors.newFixedThreadPool(writers)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < perWriter; i++) {
                        storage.put("shop", "w" + writer + "-" + i, json("{}"), Storage.ANY_REVISION);
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        }

        assertThat(storage.count("shop")).isEqualTo(writers * perWriter);
        assertThat(storage.commits() - commitsBefore).isLessThan(writers * perWriter);
    }

    private static void assertCode(Runnable call, ErrorCode code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(PydbException.class, e -> assertThat(e.code()).isEqualTo(code));
    }
}
