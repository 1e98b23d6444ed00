package dev.pydb.storage.tck;

import static dev.pydb.storage.tck.Bodies.json;
import static dev.pydb.storage.tck.Bodies.number;
import static dev.pydb.storage.tck.Bodies.numberOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.KeyOrder;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageClosedException;
import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageContext;
import dev.pydb.api.storage.StorageOptions;
import dev.pydb.api.storage.StorageProvider;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.api.storage.WriteResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage compliance kit: one suite every {@link StorageProvider} must pass.
 *
 * <h2>How a backend uses it</h2>
 * Depend on {@code dev.pydb:pydb-storage-tck} in {@code test} scope and extend this class:
 * <pre>{@code
 * final class LmdbStorageComplianceTest extends StorageComplianceTest {
 *     @Override
 *     protected StorageProvider provider() {
 *         return new LmdbStorageProvider();
 *     }
 *
 *     @Override
 *     protected StorageOptions options() {          // optional: small limits for tests
 *         return StorageOptions.of(JsonNodeFactory.instance.objectNode().put("map_size", 64 << 20));
 *     }
 * }
 * }</pre>
 * Every test opens a fresh storage in its own {@link TempDir} ({@link #storage}, opened with
 * {@link #openStorage(Path)}) and closes it afterwards. The crash test starts a child JVM that
 * finds the provider by {@link StorageProvider#name()} with {@link java.util.ServiceLoader}, so
 * the provider must be registered in {@code META-INF/services/dev.pydb.api.storage.StorageProvider}
 * on the test class path.
 *
 * <h2>Hooks</h2>
 * <ul>
 *   <li>{@link #options()}: the {@code storage.options} to open with (default: none).</li>
 *   <li>{@link #crashWriterJvmArguments()}: extra JVM arguments for the crash test's child.</li>
 *   <li>{@link #corruptStorageFiles(Path)} and {@link #checkOpenOfCorruptStorage(Path)}: how the
 *       files of a closed storage are damaged and what opening them must do (default: every
 *       file is overwritten with garbage and the open fails with {@code UNAVAILABLE}).</li>
 *   <li>{@link #persistent()}: {@code false} only for a backend that keeps nothing across close,
 *       such as the kit's own {@link dev.pydb.storage.tck.memory.InMemoryStorage}.</li>
 *   <li>{@link #dataSafetySupported()} and {@link #flipOneBitOfStoredDocument}: the data-safety
 *       tests ({@link DataSafetyContract}, nested as {@code DataSafety}), opt-in for now.</li>
 * </ul>
 * There are no optional capabilities: a backend that cannot do something must fail with the
 * exact standard error, and the suite asserts it. Only a non-persistent backend skips tests,
 * those about files and crashes (see {@link #persistent()}); for every persistent backend
 * nothing is skipped.
 *
 * <h2>Semantics asserted (the same for every backend)</h2>
 * <ul>
 *   <li>rev 1 on creation, +1 on every write; a delete removes the document and its revision
 *       (a later create starts at 1 again).</li>
 *   <li>{@code Put} with rev 0: {@code CONFLICT} if the key exists; with rev n &gt; 0:
 *       {@code CONFLICT} if the key is absent or at another revision.</li>
 *   <li>{@code Insert}: {@code KEY_EXISTS} if taken. {@code Update} and {@code Delete}:
 *       {@code NOT_FOUND} if absent (before any revision check), {@code CONFLICT} on a wrong
 *       revision ({@code Delete} with rev 0 on an existing key included).</li>
 *   <li>Any operation on a database that does not exist: {@code DB_NOT_FOUND}.</li>
 *   <li>A failing batch operation: nothing of the batch is applied, and the exception carries
 *       the detail {@code index} (0-based). An exception thrown by an {@code Update} function
 *       fails the batch the same way.</li>
 *   <li>Bodies are compared as JSON values, so a backend may normalize them.</li>
 * </ul>
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class StorageComplianceTest {
    /** A database every test finds created and empty. */
    protected static final String DB = "tck";

    @TempDir
    protected Path tempDir;

    /** The storage under test, open at {@link #storagePath()}. */
    protected Storage storage;

    /** The backend under test: a new provider instance. */
    protected abstract StorageProvider provider();

    /** The {@code storage.options} the kit opens with. */
    protected StorageOptions options() {
        return StorageOptions.empty();
    }

    /** The context the kit opens with: home is the parent of the storage path. */
    protected StorageContext context(Path path) {
        return KitStorageContext.at(path.getParent());
    }

    /** Opens the provider's storage at {@code path} with {@link #options()}. */
    protected Storage openStorage(Path path) {
        return provider().open(new StorageConfig(path.toAbsolutePath(), options()), context(path.toAbsolutePath()));
    }

    /** The path of {@link #storage}: {@code data} under the test's temp folder (not created by the kit). */
    protected Path storagePath() {
        return tempDir.resolve("data");
    }

    /**
     * Whether the backend keeps its data across close and reopen and across a crash. Default:
     * {@code true}, and every persistent backend must leave it so: then the whole suite runs.
     *
     * <p>A backend that answers {@code false} (an in-memory storage) is held to everything but
     * persistence:
     * <ul>
     *   <li>{@link #reopen()} keeps the open storage instead of closing it, so the many tests
     *       that reopen only to check their data once more still assert everything else;</li>
     *   <li>{@code closeAndReopenKeepsEverything}, {@code closeTwiceIsFine} and
     *       {@code closeWhileOthersWriteNeverCrashes} assert instead that a storage opened after
     *       the close starts empty;</li>
     *   <li>{@code openingCorruptFilesFailsCleanly}, {@code openingAPathThatIsAFileFails} and
     *       {@code everyAcknowledgedWriteSurvivesAKill} (files and a killed process) do not run:
     *       JUnit reports them as skipped.</li>
     * </ul>
     */
    protected boolean persistent() {
        return true;
    }

    /**
     * Closes {@link #storage} and opens it again at the same path. For a backend that is not
     * {@link #persistent()} it keeps the open storage, since a new one would be empty.
     */
    protected Storage reopen() {
        if (!persistent()) {
            return storage;
        }
        storage.close();
        storage = openStorage(storagePath());
        return storage;
    }

    /**
     * Extra JVM arguments for the crash test's child JVM (e.g. {@code -D} properties). It already
     * gets this JVM's {@code java} binary, class path and {@code --add-opens},
     * {@code --add-exports} and {@code --enable-native-access} flags. Default: none.
     */
    protected List<String> crashWriterJvmArguments() {
        return List.of();
    }

    /**
     * Damages the files of the closed storage at {@code path}. Default: overwrites every regular
     * file under it from its start with random bytes, newlines included: all of it (at least 4096
     * bytes) if it is at most 1 MiB, else its first MiB.
     */
    protected void corruptStorageFiles(Path path) throws IOException {
        Random random = new Random(20261124L);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(path)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertThat(files).as("files of the storage at %s", path).isNotEmpty();
        for (Path file : files) {
            byte[] garbage = new byte[(int) Math.min(1 << 20, Math.max(4096, Files.size(file)))];
            random.nextBytes(garbage);
            for (int i = 100; i < garbage.length; i += 100) {
                garbage[i] = '\n';
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(garbage);
                while (buffer.hasRemaining()) {
                    channel.write(buffer, buffer.position());
                }
            }
        }
    }

    /**
     * What opening a storage whose files {@link #corruptStorageFiles} damaged must do. Default:
     * fail with a {@link PydbException} {@code UNAVAILABLE} with a message. A backend that
     * documents other handling overrides this and asserts that handling.
     */
    protected void checkOpenOfCorruptStorage(Path path) {
        PydbException e = catchThrowableOfType(PydbException.class, () -> openStorage(path).close());
        assertThat(e).as("opening a corrupt storage must fail with a PydbException").isNotNull();
        assertThat(e.code()).as("error code of %s", e).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(e.getMessage()).isNotBlank();
    }

    /**
     * Whether the backend passes the data-safety tests ({@link DataSafetyContract}: checksums at
     * rest, the failed-group-commit rule, a full disk, {@code snapshot()}, {@code importer()}).
     * Default {@code false} while the backends move to the shared write-ahead log: the nested
     * {@code DataSafety} tests are then skipped, naming this hook. A backend that overrides it with
     * {@code true} also overrides {@link #flipOneBitOfStoredDocument}.
     */
    protected boolean dataSafetySupported() {
        return false;
    }

    /**
     * Flips one bit inside the stored bytes of document {@code key} of database {@code db} in
     * the files of the closed storage at {@code storagePath} (the document's body or revision, as
     * it sits in the backend's store: a snapshot, a B-tree page, a value), so that reading it must
     * fail its checksum. The body the kit writes starts with a string of lower-case letters, so a
     * backend that keeps JSON text can flip bit 0 of one of them and keep the file valid JSON.
     */
    protected void flipOneBitOfStoredDocument(Path storagePath, String db, String key) throws IOException {
        throw new AssertionError("override me: flipOneBitOfStoredDocument(storagePath, db, key) in "
                + getClass().getSimpleName() + " must damage document '" + key + "' of '" + db + "' in " + storagePath
                + " (see StorageComplianceTest#flipOneBitOfStoredDocument)");
    }

    @BeforeEach
    public final void openFreshStorage() {
        storage = openStorage(storagePath());
        storage.createDatabase(DB);
    }

    @AfterEach
    public final void closeStorage() {
        if (storage != null) {
            storage.close();
        }
    }

    // ---------------------------------------------------------------- CRUD and revisions

    @Test
    public void createReadUpdateDelete() {
        assertThat(storage.get(DB, "a")).isEmpty();
        assertThat(storage.put(DB, "a", json("{\"v\":1}"), Storage.ANY_REVISION)).isEqualTo(1);
        assertDocument(DB, "a", 1, "{\"v\":1}");
        assertThat(storage.put(DB, "a", json("{\"v\":2,\"s\":\"two\"}"), Storage.ANY_REVISION)).isEqualTo(2);
        assertDocument(DB, "a", 2, "{\"v\":2,\"s\":\"two\"}");
        storage.delete(DB, "a", Storage.ANY_REVISION);
        assertThat(storage.get(DB, "a")).isEmpty();
        assertThat(storage.count(DB)).isZero();
    }

    @Test
    public void revisionStartsAtOneAndGrowsByOnePerWrite() {
        for (long rev = 1; rev <= 10; rev++) {
            assertThat(storage.put(DB, "k", number(rev), Storage.ANY_REVISION)).isEqualTo(rev);
        }
        assertDocument(DB, "k", 10, "{\"n\":10}");
        List<WriteResult> results = storage.write(DB, List.of(
                new WriteOp.Update("k", body -> number(numberOf(body) + 1), Storage.ANY_REVISION)));
        assertThat(results).containsExactly(WriteResult.written("k", 11));
        assertDocument(DB, "k", 11, "{\"n\":11}");
    }

    @Test
    public void deleteForgetsTheRevision() {
        storage.put(DB, "k", number(1), Storage.ANY_REVISION);
        storage.put(DB, "k", number(2), Storage.ANY_REVISION);
        storage.delete(DB, "k", 2);
        assertThat(storage.insert(DB, "k", number(3))).isEqualTo(1);
        assertDocument(DB, "k", 1, "{\"n\":3}");
    }

    @Test
    public void bodiesRoundTripWithUnicodeAndNesting() {
        String body = "{\"name\":\"Zoë 😀 日本\",\"nested\":{\"list\":[1,2.5,-3,true,null,\"\\u0000\\n\\\"\"]},\"empty\":{}}";
        storage.put(DB, "doc", json(body), Storage.ANY_REVISION);
        assertDocument(DB, "doc", 1, body);
    }

    @Test
    public void putWithTheStoredRevisionSucceeds() {
        storage.put(DB, "k", number(1), Storage.ANY_REVISION);
        assertThat(storage.put(DB, "k", number(2), 1)).isEqualTo(2);
        assertThat(storage.put(DB, "k", number(3), 2)).isEqualTo(3);
        assertDocument(DB, "k", 3, "{\"n\":3}");
    }

    @Test
    public void putWithAWrongRevisionConflicts() {
        storage.put(DB, "k", number(1), Storage.ANY_REVISION);
        storage.put(DB, "k", number(2), Storage.ANY_REVISION);
        assertError(ErrorCode.CONFLICT, () -> storage.put(DB, "k", number(9), 1));
        assertError(ErrorCode.CONFLICT, () -> storage.put(DB, "k", number(9), 3));
        assertDocument(DB, "k", 2, "{\"n\":2}");
    }

    @Test
    public void putWithRevisionZeroCreatesOnlyIfAbsent() {
        assertThat(storage.put(DB, "k", number(1), 0)).isEqualTo(1);
        assertError(ErrorCode.CONFLICT, () -> storage.put(DB, "k", number(2), 0));
        assertDocument(DB, "k", 1, "{\"n\":1}");
    }

    @Test
    public void putWithARevisionOnAnAbsentKeyConflicts() {
        assertError(ErrorCode.CONFLICT, () -> storage.put(DB, "absent", number(1), 1));
        assertThat(storage.get(DB, "absent")).isEmpty();
    }

    @Test
    public void insertCreatesOnlyIfAbsent() {
        assertThat(storage.insert(DB, "k", number(1))).isEqualTo(1);
        assertError(ErrorCode.KEY_EXISTS, () -> storage.insert(DB, "k", number(2)));
        assertDocument(DB, "k", 1, "{\"n\":1}");
    }

    @Test
    public void deleteOfAnAbsentKeyIsNotFound() {
        assertError(ErrorCode.NOT_FOUND, () -> storage.delete(DB, "absent", Storage.ANY_REVISION));
        assertError(ErrorCode.NOT_FOUND, () -> storage.delete(DB, "absent", 1));
        assertError(ErrorCode.NOT_FOUND, () -> storage.delete(DB, "absent", 0));
    }

    @Test
    public void deleteChecksTheRevision() {
        storage.put(DB, "k", number(1), Storage.ANY_REVISION);
        storage.put(DB, "k", number(2), Storage.ANY_REVISION);
        assertError(ErrorCode.CONFLICT, () -> storage.delete(DB, "k", 1));
        assertError(ErrorCode.CONFLICT, () -> storage.delete(DB, "k", 0));
        assertDocument(DB, "k", 2, "{\"n\":2}");
        storage.delete(DB, "k", 2);
        assertThat(storage.get(DB, "k")).isEmpty();
    }

    @Test
    public void updateSeesTheCurrentBody() {
        storage.put(DB, "k", json("{\"n\":41,\"keep\":\"me\"}"), Storage.ANY_REVISION);
        List<byte[]> seen = new ArrayList<>();
        List<WriteResult> results = storage.write(DB, List.of(new WriteOp.Update("k", body -> {
            seen.add(body);
            return json("{\"n\":" + (numberOf(body) + 1) + ",\"keep\":\"" + Bodies.parse(body).get("keep").asText() + "\"}");
        }, Storage.ANY_REVISION)));
        assertThat(results).containsExactly(WriteResult.written("k", 2));
        assertThat(seen).hasSize(1);
        assertThat(Bodies.parse(seen.get(0))).isEqualTo(Bodies.parse(json("{\"n\":41,\"keep\":\"me\"}")));
        assertDocument(DB, "k", 2, "{\"n\":42,\"keep\":\"me\"}");
    }

    @Test
    public void updateOfAnAbsentKeyIsNotFound() {
        assertError(ErrorCode.NOT_FOUND, () -> storage.write(DB, List.of(
                new WriteOp.Update("absent", body -> body, Storage.ANY_REVISION))));
        assertError(ErrorCode.NOT_FOUND, () -> storage.write(DB, List.of(new WriteOp.Update("absent", body -> body, 1))));
        assertThat(storage.get(DB, "absent")).isEmpty();
    }

    @Test
    public void updateChecksTheRevision() {
        storage.put(DB, "k", number(1), Storage.ANY_REVISION);
        storage.put(DB, "k", number(2), Storage.ANY_REVISION);
        assertError(ErrorCode.CONFLICT, () -> storage.write(DB, List.of(
                new WriteOp.Update("k", body -> number(99), 1))));
        assertDocument(DB, "k", 2, "{\"n\":2}");
        assertThat(storage.write(DB, List.of(new WriteOp.Update("k", body -> number(3), 2))))
                .containsExactly(WriteResult.written("k", 3));
        assertDocument(DB, "k", 3, "{\"n\":3}");
    }

    @Test
    public void anUpdateFunctionThatThrowsFailsTheBatch() {
        storage.put(DB, "k", number(1), Storage.ANY_REVISION);
        PydbException e = assertError(ErrorCode.BAD_REQUEST, () -> storage.write(DB, List.of(
                WriteOp.Put.of("other", number(1)),
                new WriteOp.Update("k", body -> {
                    throw PydbException.badRequest("cannot apply the patch");
                }, Storage.ANY_REVISION))));
        assertThat(e.details()).containsEntry("index", 1);
        assertThat(storage.get(DB, "other")).isEmpty();
        assertDocument(DB, "k", 1, "{\"n\":1}");
    }

    // ---------------------------------------------------------------- databases

    @Test
    public void everyOperationOnAnUnknownDatabaseIsDbNotFound() {
        String db = "nope";
        assertThat(storage.databaseExists(db)).isFalse();
        assertError(ErrorCode.DB_NOT_FOUND, () -> storage.get(db, "k"));
        assertError(ErrorCode.DB_NOT_FOUND, () -> storage.scan(db, null, 10));
        assertError(ErrorCode.DB_NOT_FOUND, () -> storage.scan(db, "a", 10));
        assertError(ErrorCode.DB_NOT_FOUND, () -> storage.count(db));
        assertError(ErrorCode.DB_NOT_FOUND, () -> storage.put(db, "k", number(1), Storage.ANY_REVISION));
        assertError(ErrorCode.DB_NOT_FOUND, () -> storage.put(db, "k", number(1), 0));
        assertError(ErrorCode.DB_NOT_FOUND, () -> storage.insert(db, "k", number(1)));
        assertError(ErrorCode.DB_NOT_FOUND, () -> storage.delete(db, "k", Storage.ANY_REVISION));
        assertError(ErrorCode.DB_NOT_FOUND, () -> storage.write(db, List.of(
                new WriteOp.Update("k", body -> body, Storage.ANY_REVISION))));
        assertError(ErrorCode.DB_NOT_FOUND, () -> storage.write(db, List.of(
                WriteOp.Put.of("a", number(1)), new WriteOp.Delete("a", Storage.ANY_REVISION))));
        assertError(ErrorCode.DB_NOT_FOUND, () -> storage.dropDatabase(db));
        assertThat(storage.listDatabases()).containsExactly(DB);
    }

    @Test
    public void createTwiceIsDbExists() {
        assertError(ErrorCode.DB_EXISTS, () -> storage.createDatabase(DB));
        storage.createDatabase("other");
        assertError(ErrorCode.DB_EXISTS, () -> storage.createDatabase("other"));
        assertThat(storage.listDatabases()).containsExactly("other", DB);
    }

    @Test
    public void listDatabasesIsSorted() {
        List<String> names = List.of("b", "A", "a-1", "a_1", "Z9", "0", "a", "_x", "-y");
        for (String name : names) {
            storage.createDatabase(name);
        }
        List<String> expected = new ArrayList<>(names);
        expected.add(DB);
        expected.sort(KeyOrder.COMPARATOR);
        assertThat(storage.listDatabases()).containsExactlyElementsOf(expected);
        assertThat(storage.databaseExists("a_1")).isTrue();
        assertThat(storage.databaseExists("a_2")).isFalse();
    }

    @Test
    public void maximumLengthDatabaseName() {
        String name = "d".repeat(64);
        storage.createDatabase(name);
        storage.put(name, "k", number(1), Storage.ANY_REVISION);
        reopen();
        assertDocument(name, "k", 1, "{\"n\":1}");
    }

    @Test
    public void dropRemovesTheDatabaseAndAllItsDocuments() {
        storage.createDatabase("doomed");
        writeNumbers("doomed", 100);
        storage.dropDatabase("doomed");
        assertThat(storage.listDatabases()).containsExactly(DB);
        assertThat(storage.databaseExists("doomed")).isFalse();
        assertError(ErrorCode.DB_NOT_FOUND, () -> storage.get("doomed", key(1)));
        assertError(ErrorCode.DB_NOT_FOUND, () -> storage.count("doomed"));
        assertError(ErrorCode.DB_NOT_FOUND, () -> storage.dropDatabase("doomed"));
    }

    @Test
    public void aDatabaseRecreatedAfterDropIsEmpty() {
        writeNumbers(DB, 50);
        storage.dropDatabase(DB);
        storage.createDatabase(DB);
        assertThat(storage.count(DB)).isZero();
        assertThat(storage.scan(DB, null, 100)).isEmpty();
        assertThat(storage.get(DB, key(1))).isEmpty();
        assertThat(storage.insert(DB, key(1), number(7))).isEqualTo(1);
        reopen();
        assertThat(storage.count(DB)).isEqualTo(1);
        assertDocument(DB, key(1), 1, "{\"n\":7}");
    }

    @Test
    public void dropAndRecreateSurviveReopen() {
        storage.createDatabase("gone");
        writeNumbers("gone", 10);
        storage.dropDatabase("gone");
        storage.createDatabase("fresh");
        reopen();
        assertThat(storage.listDatabases()).containsExactly("fresh", DB);
        assertThat(storage.count("fresh")).isZero();
    }

    @Test
    public void databasesAreIsolated() {
        List<String> dbs = List.of("one", "two", "three");
        for (String db : dbs) {
            storage.createDatabase(db);
            storage.put(db, "shared", json("{\"db\":\"" + db + "\"}"), Storage.ANY_REVISION);
            storage.put(db, "only-" + db, number(1), Storage.ANY_REVISION);
        }
        storage.put("two", "shared", json("{\"db\":\"two\",\"again\":true}"), Storage.ANY_REVISION);
        assertDocument("one", "shared", 1, "{\"db\":\"one\"}");
        assertDocument("two", "shared", 2, "{\"db\":\"two\",\"again\":true}");
        assertDocument("three", "shared", 1, "{\"db\":\"three\"}");
        assertThat(storage.get("one", "only-two")).isEmpty();
        assertThat(keys(storage.scan("three", null, 100))).containsExactly("only-three", "shared");
        assertThat(storage.count(DB)).isZero();
        storage.dropDatabase("one");
        assertThat(storage.count("two")).isEqualTo(2);
        assertThat(storage.count("three")).isEqualTo(2);
        assertError(ErrorCode.CONFLICT, () -> storage.put("three", "shared", number(1), 2));
    }

    @Test
    public void manyDatabases() {
        for (int i = 0; i < 50; i++) {
            storage.createDatabase("db" + i);
            storage.put("db" + i, "k", number(i), Storage.ANY_REVISION);
        }
        reopen();
        assertThat(storage.listDatabases()).hasSize(51);
        for (int i = 0; i < 50; i++) {
            assertDocument("db" + i, "k", 1, "{\"n\":" + i + "}");
        }
    }

    // ---------------------------------------------------------------- keys

    @Test
    public void unicodeKeys() {
        List<String> keys = List.of("ä", "日本語", "😀", "a😀b", "\uD83C\uDF0D🌍", "emoji-\uD83D\uDC69\u200D\uD83D\uDCBB",
                "tab\tand space", "quote\"back\\slash", "/path/like", "..", "nul\u0000inside");
        for (String key : keys) {
            storage.put(DB, key, json("{\"key\":" + jsonString(key) + "}"), Storage.ANY_REVISION);
        }
        reopen();
        for (String key : keys) {
            assertDocument(DB, key, 1, "{\"key\":" + jsonString(key) + "}");
        }
        List<String> expected = new ArrayList<>(keys);
        expected.sort(KeyOrder.COMPARATOR);
        assertThat(keys(storage.scan(DB, null, 100))).containsExactlyElementsOf(expected);
    }

    @Test
    public void keysOf255Utf8Bytes() {
        String twoByte = "é".repeat(127) + "a";
        String fourByte = "😀".repeat(63) + "abc";
        String ascii = "k".repeat(255);
        for (String key : List.of(twoByte, fourByte, ascii)) {
            assertThat(key.getBytes(StandardCharsets.UTF_8)).hasSize(255);
            storage.put(DB, key, number(key.length()), Storage.ANY_REVISION);
        }
        reopen();
        for (String key : List.of(twoByte, fourByte, ascii)) {
            assertDocument(DB, key, 1, "{\"n\":" + key.length() + "}");
        }
        assertThat(keys(storage.scan(DB, null, 10))).containsExactly(ascii, twoByte, fourByte);
        assertThat(keys(storage.scan(DB, ascii, 10))).containsExactly(twoByte, fourByte);
    }

    @Test
    public void aOneMebibyteDocument() {
        String text = "x".repeat(1 << 20);
        byte[] body = json("{\"big\":\"" + text + "\"}");
        assertThat(body.length).isGreaterThan(1 << 20);
        storage.put(DB, "big", body, Storage.ANY_REVISION);
        storage.put(DB, "small", number(1), Storage.ANY_REVISION);
        reopen();
        Document document = storage.get(DB, "big").orElseThrow();
        assertThat(Bodies.parse(document.body()).get("big").asText()).isEqualTo(text);
        assertThat(keys(storage.scan(DB, null, 10))).containsExactly("big", "small");
    }

    // ---------------------------------------------------------------- scans and counts

    @Test
    public void scanUsesCodePointOrderNotUtf16Order() {
        // U+FF21 sorts before U+1F600 by code point, after it in UTF-16 (U+1F600 is D83D DE00).
        List<String> expected = List.of("a", "z", "~", "é", "\uFF21", "\uFFFD", "😀", "😀a", "\uD83E\uDD16");
        assertThat(expected).isSortedAccordingTo(KeyOrder.COMPARATOR);
        assertThat(List.of("\uFF21", "😀")).isNotEqualTo(sortedByUtf16(List.of("\uFF21", "😀")));
        List<String> shuffled = new ArrayList<>(expected);
        Collections.shuffle(shuffled, new Random(7));
        for (String key : shuffled) {
            storage.insert(DB, key, number(1));
        }
        assertThat(keys(storage.scan(DB, null, 100))).containsExactlyElementsOf(expected);
        assertThat(keys(storage.scan(DB, "\uFF21", 100))).containsExactly("\uFFFD", "😀", "😀a", "\uD83E\uDD16");
        assertThat(keys(storage.scan(DB, "\uFFFF", 2))).containsExactly("😀", "😀a");
        reopen();
        assertThat(keys(storage.scan(DB, null, 100))).containsExactlyElementsOf(expected);
    }

    @Test
    public void aKeySortsBeforeTheKeysItIsAPrefixOf() {
        List<String> expected = List.of("a", "a\u0000", "a\u0000\u0000", "a0", "ab", "ab\u007f", "ab\u0080", "b");
        List<String> shuffled = new ArrayList<>(expected);
        Collections.shuffle(shuffled, new Random(3));
        for (String key : shuffled) {
            storage.insert(DB, key, number(1));
        }
        assertThat(keys(storage.scan(DB, null, 100))).containsExactlyElementsOf(expected);
        assertThat(keys(storage.scan(DB, "a", 2))).containsExactly("a\u0000", "a\u0000\u0000");
        assertThat(keys(storage.scan(DB, "ab", 100))).containsExactly("ab\u007f", "ab\u0080", "b");
    }

    @Test
    public void scanPagesThroughAThousandDocuments() {
        writeNumbers(DB, 1000);
        assertThat(storage.count(DB)).isEqualTo(1000);
        List<Document> all = new ArrayList<>();
        String after = null;
        int pages = 0;
        while (true) {
            List<Document> page = storage.scan(DB, after, 37);
            assertThat(page).hasSizeLessThanOrEqualTo(37);
            if (page.isEmpty()) {
                break;
            }
            all.addAll(page);
            after = page.get(page.size() - 1).key();
            pages++;
        }
        assertThat(pages).isEqualTo(28);
        assertThat(all).hasSize(1000);
        for (int i = 0; i < 1000; i++) {
            Document document = all.get(i);
            assertThat(document.key()).isEqualTo(key(i));
            assertThat(document.rev()).isEqualTo(1);
            assertThat(numberOf(document.body())).isEqualTo(i);
        }
    }

    @Test
    public void scanLimits() {
        writeNumbers(DB, 10);
        assertThat(keys(storage.scan(DB, null, 3))).containsExactly(key(0), key(1), key(2));
        assertThat(keys(storage.scan(DB, null, 1))).containsExactly(key(0));
        assertThat(storage.scan(DB, null, 1000)).hasSize(10);
        assertThat(keys(storage.scan(DB, key(7), 1000))).containsExactly(key(8), key(9));
        assertThat(storage.scan(DB, key(9), 10)).isEmpty();
    }

    @Test
    public void scanAfterAKeyThatIsNotThere() {
        writeNumbers(DB, 10);
        assertThat(keys(storage.scan(DB, key(4) + "x", 2))).containsExactly(key(5), key(6));
        assertThat(keys(storage.scan(DB, "", 1))).containsExactly(key(0));
        assertThat(keys(storage.scan(DB, "a", 2))).containsExactly(key(0), key(1));
        assertThat(storage.scan(DB, "z", 10)).isEmpty();
        assertThat(storage.scan(DB, "\uD83D\uDE00", 10)).isEmpty();
    }

    @Test
    public void scanOfAnEmptyDatabase() {
        assertThat(storage.scan(DB, null, 10)).isEmpty();
        assertThat(storage.scan(DB, "k", 10)).isEmpty();
        assertThat(storage.count(DB)).isZero();
    }

    @Test
    public void scanReturnsCurrentRevisionsAndBodies() {
        storage.put(DB, "a", number(1), Storage.ANY_REVISION);
        storage.put(DB, "b", number(1), Storage.ANY_REVISION);
        storage.put(DB, "b", number(2), Storage.ANY_REVISION);
        storage.put(DB, "c", number(1), Storage.ANY_REVISION);
        storage.delete(DB, "c", Storage.ANY_REVISION);
        List<Document> documents = storage.scan(DB, null, 10);
        assertThat(keys(documents)).containsExactly("a", "b");
        assertThat(documents.get(1).rev()).isEqualTo(2);
        assertThat(numberOf(documents.get(1).body())).isEqualTo(2);
    }

    @Test
    public void countFollowsWrites() {
        assertThat(storage.count(DB)).isZero();
        storage.insert(DB, "a", number(1));
        storage.insert(DB, "b", number(1));
        storage.put(DB, "a", number(2), Storage.ANY_REVISION);
        assertThat(storage.count(DB)).isEqualTo(2);
        storage.delete(DB, "a", Storage.ANY_REVISION);
        assertThat(storage.count(DB)).isEqualTo(1);
        assertError(ErrorCode.KEY_EXISTS, () -> storage.write(DB, List.of(
                WriteOp.Put.of("c", number(1)), new WriteOp.Insert("b", number(1)))));
        assertThat(storage.count(DB)).isEqualTo(1);
        reopen();
        assertThat(storage.count(DB)).isEqualTo(1);
    }

    // ---------------------------------------------------------------- batches

    @Test
    public void batchOperationsSeeEarlierOperationsOfTheSameBatch() {
        List<WriteResult> results = storage.write(DB, List.of(
                new WriteOp.Insert("k", number(1)),
                new WriteOp.Update("k", body -> number(numberOf(body) + 10), 1),
                new WriteOp.Put("k", number(100), 2),
                new WriteOp.Update("k", body -> number(numberOf(body) + 1), Storage.ANY_REVISION),
                new WriteOp.Delete("k", 4),
                new WriteOp.Insert("k", number(5)),
                new WriteOp.Put("other", number(1), 0)));
        assertThat(results).containsExactly(
                WriteResult.written("k", 1),
                WriteResult.written("k", 2),
                WriteResult.written("k", 3),
                WriteResult.written("k", 4),
                WriteResult.deleted("k"),
                WriteResult.written("k", 1),
                WriteResult.written("other", 1));
        assertDocument(DB, "k", 1, "{\"n\":5}");
        assertDocument(DB, "other", 1, "{\"n\":1}");
    }

    @Test
    public void insertThenUpdateThenDeleteInOneBatch() {
        List<WriteResult> results = storage.write(DB, List.of(
                new WriteOp.Insert("k", number(1)),
                new WriteOp.Update("k", body -> number(numberOf(body) + 1), Storage.ANY_REVISION),
                new WriteOp.Delete("k", 2)));
        assertThat(results).containsExactly(WriteResult.written("k", 1), WriteResult.written("k", 2),
                WriteResult.deleted("k"));
        assertThat(storage.get(DB, "k")).isEmpty();
        assertThat(storage.count(DB)).isZero();
        reopen();
        assertThat(storage.get(DB, "k")).isEmpty();
    }

    @Test
    public void aFailingOperationLeavesNothingAppliedAndNamesItsIndex() {
        storage.put(DB, "existing", number(1), Storage.ANY_REVISION);
        storage.put(DB, "kept", number(1), Storage.ANY_REVISION);
        PydbException e = assertError(ErrorCode.KEY_EXISTS, () -> storage.write(DB, List.of(
                WriteOp.Put.of("new", number(1)),
                new WriteOp.Delete("kept", 1),
                new WriteOp.Insert("existing", number(2)),
                WriteOp.Put.of("never", number(1)))));
        assertThat(e.details()).containsEntry("index", 2);
        assertThat(storage.get(DB, "new")).isEmpty();
        assertThat(storage.get(DB, "never")).isEmpty();
        assertDocument(DB, "kept", 1, "{\"n\":1}");
        assertDocument(DB, "existing", 1, "{\"n\":1}");
        assertThat(storage.count(DB)).isEqualTo(2);
        reopen();
        assertThat(keys(storage.scan(DB, null, 10))).containsExactly("existing", "kept");
    }

    @Test
    public void everyKindOfFailingOperationNamesItsIndex() {
        storage.put(DB, "k", number(1), Storage.ANY_REVISION);
        Map<ErrorCode, WriteOp> failing = Map.of(
                ErrorCode.CONFLICT, new WriteOp.Put("k", number(2), 5),
                ErrorCode.KEY_EXISTS, new WriteOp.Insert("k", number(2)),
                ErrorCode.NOT_FOUND, new WriteOp.Delete("absent", Storage.ANY_REVISION));
        for (Map.Entry<ErrorCode, WriteOp> entry : failing.entrySet()) {
            PydbException e = assertError(entry.getKey(), () -> storage.write(DB, List.of(
                    WriteOp.Put.of("a", number(1)),
                    new WriteOp.Update("k", body -> number(numberOf(body) + 1), Storage.ANY_REVISION),
                    WriteOp.Put.of("b", number(1)),
                    entry.getValue())));
            assertThat(e.details()).as("details of %s", e).containsEntry("index", 3);
        }
        PydbException first = assertError(ErrorCode.NOT_FOUND, () -> storage.write(DB, List.of(
                new WriteOp.Update("absent", body -> body, Storage.ANY_REVISION))));
        assertThat(first.details()).containsEntry("index", 0);
        assertThat(keys(storage.scan(DB, null, 10))).containsExactly("k");
        assertDocument(DB, "k", 1, "{\"n\":1}");
    }

    @Test
    public void batchResultsAreInOperationOrder() {
        storage.put(DB, "z", number(1), Storage.ANY_REVISION);
        storage.put(DB, "z", number(2), Storage.ANY_REVISION);
        List<WriteOp> ops = new ArrayList<>();
        for (int i = 20; i >= 0; i--) {
            ops.add(new WriteOp.Insert(key(i), number(i)));
        }
        ops.add(new WriteOp.Put("z", number(3), 2));
        ops.add(new WriteOp.Delete(key(5), 1));
        List<WriteResult> results = storage.write(DB, ops);
        assertThat(results).hasSize(23);
        for (int i = 0; i <= 20; i++) {
            assertThat(results.get(i)).isEqualTo(WriteResult.written(key(20 - i), 1));
        }
        assertThat(results.get(21)).isEqualTo(WriteResult.written("z", 3));
        assertThat(results.get(22)).isEqualTo(WriteResult.deleted(key(5)));
        assertThat(storage.count(DB)).isEqualTo(21);
    }

    @Test
    public void aBigBatch() {
        List<WriteOp> ops = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            ops.add(new WriteOp.Insert(key(i), number(i)));
        }
        assertThat(storage.write(DB, ops)).hasSize(5000);
        reopen();
        assertThat(storage.count(DB)).isEqualTo(5000);
        assertDocument(DB, key(4999), 1, "{\"n\":4999}");
    }

    // ---------------------------------------------------------------- concurrency

    @Test
    public void concurrentCompareAndSetIncrementsLoseNothing() throws Exception {
        storage.put(DB, "counter", number(0), Storage.ANY_REVISION);
        runConcurrently(16, thread -> {
            for (int i = 0; i < 50; i++) {
                while (true) {
                    Document current = storage.get(DB, "counter").orElseThrow();
                    try {
                        storage.put(DB, "counter", number(numberOf(current.body()) + 1), current.rev());
                        break;
                    } catch (PydbException e) {
                        if (e.code() != ErrorCode.CONFLICT) {
                            throw e;
                        }
                    }
                }
            }
        });
        assertDocument(DB, "counter", 801, "{\"n\":800}");
    }

    @Test
    public void concurrentUpdatesLoseNothing() throws Exception {
        storage.put(DB, "counter", number(0), Storage.ANY_REVISION);
        runConcurrently(8, thread -> {
            for (int i = 0; i < 50; i++) {
                storage.write(DB, List.of(new WriteOp.Update("counter", body -> number(numberOf(body) + 1),
                        Storage.ANY_REVISION)));
            }
        });
        assertDocument(DB, "counter", 401, "{\"n\":400}");
    }

    @Test
    public void concurrentWritersOfDisjointKeysAllLand() throws Exception {
        runConcurrently(16, thread -> {
            for (int i = 0; i < 50; i++) {
                assertThat(storage.insert(DB, "t" + thread + "-" + i, number(i))).isEqualTo(1);
            }
        });
        assertThat(storage.count(DB)).isEqualTo(800);
        reopen();
        assertThat(storage.count(DB)).isEqualTo(800);
        for (int thread = 0; thread < 16; thread++) {
            for (int i = 0; i < 50; i++) {
                assertDocument(DB, "t" + thread + "-" + i, 1, "{\"n\":" + i + "}");
            }
        }
    }

    @Test
    public void concurrentWritersOnManyDatabases() throws Exception {
        for (int db = 0; db < 4; db++) {
            storage.createDatabase("c" + db);
        }
        runConcurrently(8, thread -> {
            for (int i = 0; i < 40; i++) {
                storage.put("c" + (thread % 4), "t" + thread + "-" + i, number(i), Storage.ANY_REVISION);
            }
        });
        for (int db = 0; db < 4; db++) {
            assertThat(storage.count("c" + db)).isEqualTo(80);
        }
    }

    @Test
    public void readersNeverSeeATornDocument() throws Exception {
        String padding = "p".repeat(4_000);
        storage.put(DB, "doc", json("{\"a\":0,\"pad\":\"" + padding + "\",\"b\":0}"), Storage.ANY_REVISION);
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Long>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(pool.submit(() -> {
                    long reads = 0;
                    while (writing.get() || reads == 0) {
                        Document document = storage.get(DB, "doc").orElseThrow();
                        var body = Bodies.parse(document.body());
                        long a = body.get("a").asLong();
                        assertThat(body.get("b").asLong()).as("b of %s", document.key()).isEqualTo(a);
                        assertThat(body.get("pad").asText()).isEqualTo(padding);
                        assertThat(document.rev()).isEqualTo(a + 1);
                        for (Document scanned : storage.scan(DB, null, 10)) {
                            var scannedBody = Bodies.parse(scanned.body());
                            assertThat(scannedBody.get("b").asLong()).isEqualTo(scannedBody.get("a").asLong());
                        }
                        reads++;
                    }
                    return reads;
                }));
            }
            Future<?> writer = pool.submit(() -> {
                try {
                    for (int i = 1; i <= 100; i++) {
                        storage.put(DB, "doc", json("{\"a\":" + i + ",\"pad\":\"" + padding + "\",\"b\":" + i + "}"), i);
                    }
                } finally {
                    writing.set(false);
                }
                return null;
            });
            writer.get(50, TimeUnit.SECONDS);
            for (Future<Long> reader : readers) {
                assertThat(reader.get(50, TimeUnit.SECONDS)).isPositive();
            }
        } finally {
            shutdown(pool);
        }
    }

    @Test
    public void readersNeverSeeHalfABatch() throws Exception {
        storage.write(DB, List.of(WriteOp.Put.of("first", number(0)), WriteOp.Put.of("second", number(0))));
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(pool.submit(() -> {
                    while (writing.get()) {
                        // Batches raise both counters together, so a later read never sees less.
                        long first = numberOf(storage.get(DB, "first").orElseThrow().body());
                        long second = numberOf(storage.get(DB, "second").orElseThrow().body());
                        assertThat(second).as("'second' read after 'first'").isGreaterThanOrEqualTo(first);
                        long secondAgain = numberOf(storage.get(DB, "second").orElseThrow().body());
                        long firstAgain = numberOf(storage.get(DB, "first").orElseThrow().body());
                        assertThat(firstAgain).as("'first' read after 'second'").isGreaterThanOrEqualTo(secondAgain);
                        List<Document> both = storage.scan(DB, null, 2);
                        assertThat(numberOf(both.get(1).body())).as("scan").isGreaterThanOrEqualTo(numberOf(both.get(0).body()));
                    }
                    return null;
                }));
            }
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        storage.write(DB, List.of(
                                new WriteOp.Update("first", body -> number(numberOf(body) + 1), Storage.ANY_REVISION),
                                new WriteOp.Update("second", body -> number(numberOf(body) + 1), Storage.ANY_REVISION)));
                    }
                    return null;
                }));
            }
            try {
                for (Future<?> writer : writers) {
                    writer.get(50, TimeUnit.SECONDS);
                }
            } finally {
                writing.set(false);
            }
            for (Future<?> reader : readers) {
                reader.get(50, TimeUnit.SECONDS);
            }
        } finally {
            shutdown(pool);
        }
        assertDocument(DB, "first", 201, "{\"n\":200}");
        assertDocument(DB, "second", 201, "{\"n\":200}");
    }

    @Test
    public void concurrentTransfersKeepTheSum() throws Exception {
        int accounts = 5;
        for (int i = 0; i < accounts; i++) {
            storage.put(DB, "account" + i, number(100), Storage.ANY_REVISION);
        }
        runConcurrently(8, thread -> {
            Random random = new Random(thread);
            for (int i = 0; i < 40; i++) {
                int from = random.nextInt(accounts);
                int to = (from + 1 + random.nextInt(accounts - 1)) % accounts;
                int amount = 1 + random.nextInt(10);
                storage.write(DB, List.of(
                        new WriteOp.Update("account" + from, body -> number(numberOf(body) - amount), Storage.ANY_REVISION),
                        new WriteOp.Update("account" + to, body -> number(numberOf(body) + amount), Storage.ANY_REVISION)));
            }
        });
        long sum = 0;
        long revs = 0;
        for (Document document : storage.scan(DB, null, 100)) {
            sum += numberOf(document.body());
            revs += document.rev() - 1;
        }
        assertThat(sum).isEqualTo(100L * accounts);
        assertThat(revs).isEqualTo(8 * 40 * 2);
    }

    @Test
    public void concurrentInsertsOfTheSameKeyHaveOneWinner() throws Exception {
        ConcurrentLinkedQueue<Integer> winners = new ConcurrentLinkedQueue<>();
        runConcurrently(16, thread -> {
            try {
                storage.insert(DB, "contested", number(thread));
                winners.add(thread);
            } catch (PydbException e) {
                assertThat(e.code()).isEqualTo(ErrorCode.KEY_EXISTS);
            }
        });
        assertThat(winners).hasSize(1);
        assertDocument(DB, "contested", 1, "{\"n\":" + winners.peek() + "}");
    }

    @Test
    public void concurrentWritesFromVirtualThreads() throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Long>> futures = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int n = i;
                futures.add(pool.submit(() -> storage.put(DB, key(n), number(n), 0)));
            }
            for (Future<Long> future : futures) {
                assertThat(future.get(50, TimeUnit.SECONDS)).isEqualTo(1);
            }
        }
        assertThat(storage.count(DB)).isEqualTo(200);
    }

    // ---------------------------------------------------------------- lifecycle

    @Test
    public void closeAndReopenKeepsEverything() {
        storage.createDatabase("second");
        writeNumbers(DB, 20);
        storage.put(DB, key(3), number(33), 1);
        storage.delete(DB, key(4), 1);
        storage.put("second", "x", json("{\"s\":\"ß\"}"), Storage.ANY_REVISION);
        if (!persistent()) {
            storage.close();
            storage = openStorage(storagePath());
            assertThat(storage.listDatabases()).as("a non-persistent storage opened after close").isEmpty();
            return;
        }
        reopen();
        assertThat(storage.listDatabases()).containsExactly("second", DB);
        assertThat(storage.count(DB)).isEqualTo(19);
        assertDocument(DB, key(3), 2, "{\"n\":33}");
        assertDocument(DB, key(5), 1, "{\"n\":5}");
        assertThat(storage.get(DB, key(4))).isEmpty();
        assertDocument("second", "x", 1, "{\"s\":\"ß\"}");
        assertThat(storage.put(DB, key(3), number(34), 2)).isEqualTo(3);
        reopen();
        reopen();
        assertDocument(DB, key(3), 3, "{\"n\":34}");
    }

    @Test
    public void aFreshStorageHasNoDatabases() {
        try (Storage fresh = openStorage(tempDir.resolve("fresh"))) {
            assertThat(fresh.listDatabases()).isEmpty();
            assertThat(fresh.databaseExists(DB)).isFalse();
        }
    }

    @Test
    public void closeTwiceIsFine() {
        storage.put(DB, "k", number(1), Storage.ANY_REVISION);
        storage.close();
        storage.close();
        storage = openStorage(storagePath());
        assertKeptAfterClose(DB, "k", 1, "{\"n\":1}");
    }

    @Test
    public void everyOperationAfterCloseThrowsStorageClosed() {
        storage.put(DB, "k", number(1), Storage.ANY_REVISION);
        storage.close();
        List<ThrowingCallable> calls = List.of(
                () -> storage.createDatabase("other"),
                () -> storage.dropDatabase(DB),
                () -> storage.listDatabases(),
                () -> storage.databaseExists(DB),
                () -> storage.get(DB, "k"),
                () -> storage.get("nope", "k"),
                () -> storage.scan(DB, null, 10),
                () -> storage.count(DB),
                () -> storage.write(DB, List.of(WriteOp.Put.of("k", number(2)))),
                () -> storage.put(DB, "k", number(2), 1),
                () -> storage.insert(DB, "j", number(2)),
                () -> storage.delete(DB, "k", Storage.ANY_REVISION));
        for (ThrowingCallable call : calls) {
            assertThatThrownBy(call).isInstanceOf(StorageClosedException.class)
                    .extracting(e -> ((PydbException) e).code()).isEqualTo(ErrorCode.UNAVAILABLE);
        }
        storage.close();
    }

    @Test
    public void closeWhileOthersWriteNeverCrashes() throws Exception {
        AtomicBoolean closed = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch started = new CountDownLatch(4);
        try {
            List<Future<Long>> writers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                writers.add(pool.submit(() -> {
                    started.countDown();
                    long acknowledged = 0;
                    for (int i = 0; ; i++) {
                        try {
                            storage.put(DB, "t" + thread + "-" + i, number(i), Storage.ANY_REVISION);
                            storage.get(DB, "t" + thread + "-" + i);
                            acknowledged++;
                        } catch (PydbException e) {
                            assertThat(e.code()).as("%s", e).isEqualTo(ErrorCode.UNAVAILABLE);
                            assertThat(closed).isTrue();
                            return acknowledged;
                        }
                    }
                }));
            }
            started.await();
            storage.write(DB, List.of(WriteOp.Put.of("marker", number(1))));
            closed.set(true);
            storage.close();
            for (Future<Long> writer : writers) {
                writer.get(50, TimeUnit.SECONDS);
            }
        } finally {
            shutdown(pool);
        }
        storage = openStorage(storagePath());
        assertKeptAfterClose(DB, "marker", 1, "{\"n\":1}");
    }

    @Test
    public void openingCorruptFilesFailsCleanly() throws IOException {
        assumeTrue(persistent(), "a non-persistent storage has no files to corrupt");
        writeNumbers(DB, 100);
        storage.put(DB, key(1), number(2), Storage.ANY_REVISION);
        storage.close();
        corruptStorageFiles(storagePath());
        checkOpenOfCorruptStorage(storagePath());
    }

    @Test
    public void openingAPathThatIsAFileFails() throws IOException {
        assumeTrue(persistent(), "a non-persistent storage does not use its path");
        Path file = tempDir.resolve("a-file");
        Files.writeString(file, "not a storage folder\n");
        PydbException e = catchThrowableOfType(PydbException.class, () -> openStorage(file).close());
        assertThat(e).as("opening a regular file as a storage must fail with a PydbException").isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
    }

    // ---------------------------------------------------------------- crash

    @Test
    @Timeout(value = 40, unit = TimeUnit.SECONDS)
    public void everyAcknowledgedWriteSurvivesAKill() throws Exception {
        assumeTrue(persistent(), "a non-persistent storage keeps nothing when its process dies");
        storage.close();
        storage = null;
        Path path = tempDir.resolve("crash");
        String provider = provider().name();
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Map<String, Long> acknowledgedPuts = new HashMap<>();
        Map<String, Long> acknowledgedCounters = new HashMap<>();
        for (int round = 0; round < 3; round++) {
            long killAfter = 300 + random.nextInt(1200);
            CrashHarness.Acks acks = CrashHarness.runAndKill(provider, path, options().toString(),
                    crashWriterJvmArguments(), round, killAfter, tempDir);
            String context = "round " + round + " (seed " + seed + ", killed " + killAfter + " ms after the first ack, "
                    + acks.puts().size() + " puts, " + acks.counters().size() + " counters, " + acks.created().size()
                    + " created and " + acks.dropped().size() + " dropped databases acknowledged); child stderr:\n"
                    + acks.stderr();
            assertThat(acks.puts().size() + acks.counters().size()).as(context).isPositive();
            acknowledgedPuts.putAll(acks.puts());
            acks.counters().forEach((key, value) -> acknowledgedCounters.merge(key, value, Math::max));
            try (Storage reopened = openStorage(path)) {
                assertThat(reopened.databaseExists(CrashWriter.DATABASE)).as(context).isTrue();
                for (Map.Entry<String, Long> put : acknowledgedPuts.entrySet()) {
                    Optional<Document> document = reopened.get(CrashWriter.DATABASE, put.getKey());
                    assertThat(document).as("acknowledged put of %s, %s", put.getKey(), context).isPresent();
                    assertThat(document.get().rev()).as(context).isGreaterThanOrEqualTo(put.getValue());
                    assertThat(Bodies.sameJson(document.get().body(), CrashWriter.putBody(put.getKey()))).as(context).isTrue();
                }
                for (Map.Entry<String, Long> counter : acknowledgedCounters.entrySet()) {
                    Optional<Document> document = reopened.get(CrashWriter.DATABASE, counter.getKey());
                    assertThat(document).as("acknowledged counter %s, %s", counter.getKey(), context).isPresent();
                    long stored = numberOf(document.get().body());
                    assertThat(stored).as("counter %s, %s", counter.getKey(), context).isGreaterThanOrEqualTo(counter.getValue());
                    assertThat(document.get().rev()).as("rev of counter %s, %s", counter.getKey(), context).isEqualTo(stored);
                }
                for (String name : acks.created()) {
                    if (!acks.dropping().contains(name)) {
                        assertThat(reopened.databaseExists(name)).as("created database %s, %s", name, context).isTrue();
                        assertThat(reopened.count(name)).as("documents of %s, %s", name, context).isLessThanOrEqualTo(1);
                    }
                }
                for (String name : acks.dropped()) {
                    assertThat(reopened.databaseExists(name)).as("dropped database %s, %s", name, context).isFalse();
                }
                // the recovered storage is writable
                reopened.put(CrashWriter.DATABASE, "after-round-" + round, number(round), 0);
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Asserts that {@code call} throws a {@link PydbException} with {@code code}, and returns it. */
    protected static PydbException assertError(ErrorCode code, ThrowingCallable call) {
        PydbException e = catchThrowableOfType(PydbException.class, call);
        assertThat(e).as("expected a PydbException with code %s", code).isNotNull();
        assertThat(e.code()).as("code of %s", e).isEqualTo(code);
        assertThat(e.getMessage()).isNotBlank();
        return e;
    }

    /** Asserts that {@code db} holds {@code key} at {@code rev} with a body equal (as JSON) to {@code json}. */
    // ---------------------------------------------------------------- nested contracts

    /** Checksums at rest, the failed-group-commit rule, a full disk, snapshots and the importer. */
    @Nested
    class DataSafety extends DataSafetyContract {
        @Override
        protected Storage storage() {
            return storage;
        }

        @Override
        protected Path storagePath() {
            return StorageComplianceTest.this.storagePath();
        }

        @Override
        protected Storage openStorage(Path path) {
            return StorageComplianceTest.this.openStorage(path);
        }

        @Override
        protected Storage reopenAfter(FileDamage damage) throws IOException {
            storage.close();
            damage.apply(StorageComplianceTest.this.storagePath());
            storage = StorageComplianceTest.this.openStorage(StorageComplianceTest.this.storagePath());
            return storage;
        }

        @Override
        protected void flipOneBitOfStoredDocument(Path storagePath, String db, String key) throws IOException {
            StorageComplianceTest.this.flipOneBitOfStoredDocument(storagePath, db, key);
        }

        @Override
        protected boolean supported() {
            return dataSafetySupported() && persistent();
        }

        @Override
        protected Path tempDir() {
            return tempDir;
        }
    }

    protected void assertDocument(String db, String key, long rev, String json) {
        Optional<Document> document = storage.get(db, key);
        assertThat(document).as("document %s in %s", key, db).isPresent();
        assertThat(document.get().key()).isEqualTo(key);
        assertThat(document.get().rev()).as("rev of %s in %s", key, db).isEqualTo(rev);
        assertThat(Bodies.parse(document.get().body())).as("body of %s in %s", key, db).isEqualTo(Bodies.parse(json(json)));
    }

    /**
     * After {@link #storage} was closed and opened again: asserts the document like
     * {@link #assertDocument}, or for a backend that is not {@link #persistent()}, that the new
     * storage is empty.
     */
    private void assertKeptAfterClose(String db, String key, long rev, String json) {
        if (persistent()) {
            assertDocument(db, key, rev, json);
        } else {
            assertThat(storage.listDatabases()).as("a non-persistent storage opened after close").isEmpty();
        }
    }

    /** {@code k0000}, {@code k0001}, …: keys whose order is their number's. */
    protected static String key(int i) {
        return String.format("k%04d", i);
    }

    /** Inserts {@code key(i) -> {"n": i}} for i in [0, count), shuffled, in batches of 100. */
    protected void writeNumbers(String db, int count) {
        List<Integer> order = new ArrayList<>(IntStream.range(0, count).boxed().toList());
        Collections.shuffle(order, new Random(count));
        for (int from = 0; from < count; from += 100) {
            List<WriteOp> ops = new ArrayList<>();
            for (int i : order.subList(from, Math.min(count, from + 100))) {
                ops.add(new WriteOp.Insert(key(i), number(i)));
            }
            storage.write(db, ops);
        }
    }

    protected static List<String> keys(List<Document> documents) {
        return documents.stream().map(Document::key).toList();
    }

    /** Runs {@code task(thread)} on {@code threads} platform threads started together; rethrows the first failure. */
    protected static void runConcurrently(int threads, Consumer<Integer> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Void>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                Callable<Void> callable = () -> {
                    start.await();
                    task.accept(thread);
                    return null;
                };
                futures.add(pool.submit(callable));
            }
            start.countDown();
            for (Future<Void> future : futures) {
                future.get(50, TimeUnit.SECONDS);
            }
        } finally {
            shutdown(pool);
        }
    }

    private static void shutdown(ExecutorService pool) throws InterruptedException {
        pool.shutdownNow();
        if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
            throw new AssertionError("worker threads did not stop");
        }
    }

    private static List<String> sortedByUtf16(List<String> keys) {
        List<String> sorted = new ArrayList<>(keys);
        Collections.sort(sorted);
        return sorted;
    }

    private static String jsonString(String s) {
        return TextNode.valueOf(s).toString();
    }
}
