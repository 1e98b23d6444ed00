package dev.pydb.storage.lmdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.StorageVerifier;
import dev.pydb.storage.tck.KitStorageContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.Txn;

/**
 * 0.1.0 stores (format 1: no checksums) upgrade in place at the first open: every value is
 * rewritten in format 2 in bounded transactions, the counts too, logged with counts; an upgrade cut
 * short resumes at the next open.
 */
final class FormatUpgradeTest {
    @TempDir
    Path tempDir;

    /**
     * {@code format1-0.1.0/data.mdb} was written by the 0.1.0 backend (commit 069e241): databases
     * {@code people} (p000 to p038, p007 at rev 3, a key with non-ASCII characters, a 10 kB
     * document on overflow pages), {@code people-archive} (p000) and {@code empty}.
     */
    @Test
    void aStoreWrittenBy010OpensUpgradedWithEveryDocumentAndRevision() throws IOException {
        Path path = tempDir.resolve("data");
        Files.createDirectories(path);
        try (InputStream fixture = getClass().getResourceAsStream("/format1-0.1.0/data.mdb")) {
            Files.copy(fixture, path.resolve("data.mdb"));
        }

        try (LogCapture log = LogCapture.of(FormatUpgrade.class); LmdbStorage storage = LmdbTestStorages.open(path)) {
            assertThat(storage.listDatabases()).containsExactly("empty", "people", "people-archive");
            assertThat(storage.count("people")).isEqualTo(41);
            assertThat(storage.count("people-archive")).isEqualTo(1);
            assertThat(storage.count("empty")).isZero();
            assertThat(storage.get("people", "p007").orElseThrow()).isEqualTo(new Document("p007", 3,
                    LmdbTestStorages.body("{\"n\":7,\"name\":\"seven\",\"updated\":2}")));
            assertThat(storage.get("people", "p012").orElseThrow()).isEqualTo(new Document("p012", 1,
                    LmdbTestStorages.body("{\"n\":12,\"name\":\"person 12\"}")));
            assertThat(storage.get("people", "p039")).isEmpty();
            assertThat(storage.get("people", "ünïcødé-😀").orElseThrow().body())
                    .isEqualTo(LmdbTestStorages.body("{\"text\":\"ünïcødé\"}"));
            assertThat(storage.get("people", "big").orElseThrow().body()).hasSize(10_010);
            assertThat(storage.scan("people", null, 100)).hasSize(41);
            assertThat(storage.get("people-archive", "p000").orElseThrow().rev()).isEqualTo(1);
            assertThat(log.lines()).anySatisfy(line -> assertThat(line).startsWith("INFO upgrading the lmdb data in "
                    + path.toRealPath().resolve("data.mdb") + " to format 2 (checksums): 42 documents to check"));
            assertThat(log.lines()).anySatisfy(line -> assertThat(line).contains(" transactions: 42 documents rewritten,"
                    + " 0 already in format 2 (an upgrade resumed), 0 damaged left as they were, 3 database counts rewritten"));
        }
        assertThat(rawValues(path, "meta")).containsEntry("format_version", List.of(0, 0, 0, 0, 0, 0, 0, 2))
                .doesNotContainKey("upgrade_from_1");
        assertThat(verify(path).damage()).isEmpty();
        try (LogCapture log = LogCapture.of(FormatUpgrade.class); LmdbStorage reopened = LmdbTestStorages.open(path)) {
            assertThat(reopened.count("people")).isEqualTo(41);
            assertThat(log.lines()).isEmpty();
        }
    }

    @Test
    void anUpgradeCutShortResumesAndSkipsWhatItRewrote() throws IOException {
        Path path = tempDir.resolve("data");
        writeFormat1Store(path, 2500, List.of());
        try (Env<ByteBuffer> env = Env.create().setMapSize(1 << 28).setMaxDbs(LmdbTables.DBI_COUNT).open(path.toFile(),
                EnvFlags.MDB_NOTLS)) {
            GroupCommitWriter writer = new GroupCommitWriter(env, new WriteFailures(path.resolve("data.mdb"), 1 << 28), "test");
            writer.start();
            try {
                LmdbTables tables = writer.execute(txn -> writeTxn -> LmdbTables.open(env, writeTxn, path.resolve("data.mdb")));
                assertThat(tables.upgradePending()).isTrue();
                FormatUpgrade.Step step = new FormatUpgrade(writer, tables, 1000, 1 << 20).step(null);
                assertThat(step.rewritten()).isEqualTo(1000);
                assertThat(step.lastKey()).isNotNull();
            } finally {
                writer.close();
            }
            // the process dies here: one committed transaction of the upgrade, the marker still set
        }
        assertThat(rawValues(path, "meta")).containsKey("upgrade_from_1");

        try (LogCapture log = LogCapture.of(FormatUpgrade.class); LmdbStorage storage = LmdbTestStorages.open(path)) {
            assertThat(log.lines()).anySatisfy(line -> assertThat(line).contains("1500 documents rewritten, 1000 already in"
                    + " format 2 (an upgrade resumed), 0 damaged left as they were, 1 database counts rewritten"));
            assertThat(storage.count("db")).isEqualTo(2500);
            List<Document> all = storage.scan("db", null, 5000);
            assertThat(all).hasSize(2500);
            for (int i = 0; i < 2500; i++) {
                assertThat(all.get(i)).isEqualTo(new Document(key(i), i % 7 + 1, body(i)));
            }
        }
        assertThat(rawValues(path, "meta")).doesNotContainKey("upgrade_from_1");
        assertThat(verify(path).damage()).isEmpty();
    }

    @Test
    void aMalformed010ValueIsLeftAsItWasAndAnswersCorrupted() throws IOException {
        Path path = tempDir.resolve("data");
        writeFormat1Store(path, 10, List.of(3));

        try (LogCapture log = LogCapture.of(FormatUpgrade.class); LmdbStorage storage = LmdbTestStorages.open(path)) {
            assertThat(log.lines()).anySatisfy(line -> assertThat(line).startsWith("WARN upgrade of the lmdb data in ")
                    .contains("the 0.1.0 value of key 'db/" + key(3) + "' is malformed (revision 0 is not positive)"));
            assertThat(log.lines()).anySatisfy(line -> assertThat(line).contains("9 documents rewritten, 0 already in format 2"
                    + " (an upgrade resumed), 1 damaged left as they were"));
            PydbException e = catchThrowableOfType(PydbException.class, () -> storage.get("db", key(3)));
            assertThat(e.code()).isEqualTo(ErrorCode.CORRUPTED);
            assertThat(storage.get("db", key(4)).orElseThrow().body()).isEqualTo(body(4));
        }
        assertThat(verify(path).damage()).singleElement().satisfies(d -> {
            assertThat(d.key()).isEqualTo(key(3));
            assertThat(d.problem()).contains("not the format byte");
        });
    }

    /** A store in the 0.1.0 layout (format_version 1, values revision + body, counts 8 bytes), database {@code db}. */
    static void writeFormat1Store(Path path, int documents, List<Integer> withRevisionZero) throws IOException {
        Files.createDirectories(path);
        try (Env<ByteBuffer> env = Env.create().setMapSize(1 << 28).setMaxDbs(LmdbTables.DBI_COUNT).open(path.toFile(),
                EnvFlags.MDB_NOTLS)) {
            Dbi<ByteBuffer> docs = env.openDbi("documents", DbiFlags.MDB_CREATE);
            Dbi<ByteBuffer> dbs = env.openDbi("databases", DbiFlags.MDB_CREATE);
            Dbi<ByteBuffer> meta = env.openDbi("meta", DbiFlags.MDB_CREATE);
            try (Txn<ByteBuffer> txn = env.txnWrite()) {
                meta.put(txn, RecordCodec.direct("format_version".getBytes(StandardCharsets.US_ASCII)), RecordCodec.number(1));
                dbs.put(txn, RecordCodec.direct("db".getBytes(StandardCharsets.US_ASCII)), RecordCodec.number(documents));
                for (int i = 0; i < documents; i++) {
                    byte[] body = body(i);
                    long rev = withRevisionZero.contains(i) ? 0 : i % 7 + 1;
                    docs.put(txn, RecordCodec.documentKey(RecordCodec.prefix("db"), key(i)), RecordCodec.direct(
                            ByteBuffer.allocate(8 + body.length).putLong(rev).put(body).array()));
                }
                txn.commit();
            }
        }
    }

    static String key(int i) {
        return String.format("k%05d", i);
    }

    static byte[] body(int i) {
        return LmdbTestStorages.body("{\"i\":" + i + "}");
    }

    private StorageVerifier.Report verify(Path path) {
        return new LmdbStorageProvider().verifier().orElseThrow().verify(
                new dev.pydb.api.storage.StorageConfig(path, dev.pydb.api.storage.StorageOptions.empty()),
                KitStorageContext.at(path.getParent()), StorageVerifier.Progress.NONE);
    }

    /** The entries of an LMDB database of the store, keys as ASCII, values as unsigned bytes. */
    private static java.util.Map<String, List<Integer>> rawValues(Path path, String dbi) {
        java.util.Map<String, List<Integer>> values = new java.util.TreeMap<>();
        try (Env<ByteBuffer> env = Env.create().setMaxDbs(LmdbTables.DBI_COUNT).open(path.toFile(), EnvFlags.MDB_NOTLS)) {
            Dbi<ByteBuffer> db = env.openDbi(dbi);
            try (Txn<ByteBuffer> txn = env.txnRead(); Cursor<ByteBuffer> cursor = db.openCursor(txn)) {
                for (boolean found = cursor.first(); found; found = cursor.next()) {
                    byte[] key = new byte[cursor.key().remaining()];
                    cursor.key().get(key);
                    List<Integer> value = new ArrayList<>();
                    ByteBuffer v = cursor.val();
                    while (v.hasRemaining()) {
                        value.add(v.get() & 0xff);
                    }
                    values.put(new String(key, StandardCharsets.US_ASCII), value);
                }
            }
        }
        return values;
    }
}
