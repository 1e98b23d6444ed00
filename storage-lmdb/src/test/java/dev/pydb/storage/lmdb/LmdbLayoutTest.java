package dev.pydb.storage.lmdb;

import static dev.pydb.storage.lmdb.LmdbTestStorages.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.WriteOp;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;

/** The key layout: database prefixes never mix, cut seek keys, invalid Unicode keys. */
final class LmdbLayoutTest {
    @TempDir
    Path tempDir;

    private LmdbStorage storage;

    @BeforeEach
    void open() {
        storage = LmdbTestStorages.open(tempDir.resolve("data"));
    }

    @AfterEach
    void close() {
        storage.close();
    }

    @Test
    void databasesWhoseNamesArePrefixesOfEachOtherStaySeparate() {
        List<String> dbs = List.of("a", "a-b", "a0", "aa", "b");
        for (String db : dbs) {
            storage.createDatabase(db);
            List<WriteOp> ops = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                ops.add(WriteOp.Put.of("k" + i, body("{\"db\":\"" + db + "\"}")));
            }
            storage.write(db, ops);
        }
        storage.put("a", "\u0000", body("{}"), Storage.ANY_REVISION);
        assertThat(storage.scan("a", null, 1)).extracting(Document::key).containsExactly("\u0000");

        storage.dropDatabase("a");

        assertThat(storage.listDatabases()).containsExactly("a-b", "a0", "aa", "b");
        for (String db : List.of("a-b", "a0", "aa", "b")) {
            assertThat(storage.count(db)).isEqualTo(300);
            List<Document> all = storage.scan(db, null, 1000);
            assertThat(all).hasSize(300).allSatisfy(d -> assertThat(new String(d.body())).contains("\"" + db + "\""));
        }
        storage.createDatabase("a");
        assertThat(storage.scan("a", null, 10)).isEmpty();
        assertThat(storage.count("a")).isZero();
    }

    @Test
    void scanAfterAKeyLongerThanAnyStoredKey() {
        storage.createDatabase("s");
        String max = "k".repeat(255);
        storage.put("s", max, body("{}"), Storage.ANY_REVISION);
        storage.put("s", "k".repeat(254) + "l", body("{}"), Storage.ANY_REVISION);
        storage.put("s", "l", body("{}"), Storage.ANY_REVISION);

        assertThat(storage.scan("s", "k".repeat(300), 10)).extracting(Document::key)
                .containsExactly("k".repeat(254) + "l", "l");
        assertThat(storage.scan("s", max, 10)).extracting(Document::key).containsExactly("k".repeat(254) + "l", "l");
    }

    @Test
    void scanAfterAKeyWithAnUnpairedSurrogateKeepsCodePointOrder() {
        storage.createDatabase("s");
        for (String key : List.of("\uD7FF", "\uE000", "😀")) {
            storage.put("s", key, body("{}"), Storage.ANY_REVISION);
        }
        assertThat(storage.scan("s", "\uD800", 10)).extracting(Document::key).containsExactly("\uE000", "😀");
    }

    @Test
    void aKeyWithAnUnpairedSurrogateIsABadRequest() {
        storage.createDatabase("s");
        assertThatThrownBy(() -> storage.put("s", "bad\uD800", body("{}"), Storage.ANY_REVISION))
                .isInstanceOf(PydbException.class)
                .satisfies(e -> {
                    assertThat(((PydbException) e).code()).isEqualTo(ErrorCode.BAD_REQUEST);
                    assertThat(((PydbException) e).details()).containsEntry("index", 0);
                });
        assertThat(storage.count("s")).isZero();
    }

    @Test
    void anEmptyBatchChecksTheDatabaseAndCommitsNothing() {
        storage.createDatabase("s");
        long commits = storage.commitCount();
        assertThat(storage.write("s", List.of())).isEmpty();
        assertThat(storage.commitCount()).isEqualTo(commits);
        assertThatThrownBy(() -> storage.write("nope", List.of()))
                .isInstanceOf(PydbException.class)
                .extracting(e -> ((PydbException) e).code()).isEqualTo(ErrorCode.DB_NOT_FOUND);
    }

    @Test
    void dataOfAnotherFormatVersionIsRefusedAtOpen() {
        Path other = tempDir.resolve("other");
        LmdbTestStorages.open(other).close();
        try (Env<ByteBuffer> env = Env.create().setMaxDbs(LmdbTables.DBI_COUNT).open(other.toFile())) {
            Dbi<ByteBuffer> meta = env.openDbi("meta");
            try (Txn<ByteBuffer> txn = env.txnWrite()) {
                meta.put(txn, RecordCodec.direct("format_version".getBytes(StandardCharsets.US_ASCII)), RecordCodec.number(3));
                txn.commit();
            }
        }
        assertThatThrownBy(() -> LmdbTestStorages.open(other))
                .isInstanceOf(PydbException.class)
                .hasMessageContaining("format version 3")
                .extracting(e -> ((PydbException) e).code()).isEqualTo(ErrorCode.UNAVAILABLE);
    }
}
