package dev.pydb.storage.tck;

import static dev.pydb.storage.tck.Bodies.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.DocumentImporter;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageSnapshot;
import dev.pydb.api.storage.WriteOp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The compliance kit's data-safety tests (issue 11): checksums at rest, the failed-group-commit
 * rule, a full disk, consistent snapshots for backups, and the importer for restores. Included in
 * {@link StorageComplianceTest} as the {@code @Nested} class {@code DataSafety}, which delegates
 * the abstract methods to the outer kit.
 *
 * <p>Opt-in while the backends move to the shared write-ahead log: the tests run for a backend
 * whose kit returns {@code true} from {@link StorageComplianceTest#dataSafetySupported()} and are
 * skipped (with that reason) for the others. Once every backend passes, the default becomes
 * {@code true} and the hook goes away.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
public abstract class DataSafetyContract {
    /** The database the outer kit created for the test. */
    protected static final String DB = StorageComplianceTest.DB;

    /** The storage under test, open at {@link #storagePath()} with {@link #DB} created. */
    protected abstract Storage storage();

    /** Where {@link #storage()} keeps its files. */
    protected abstract Path storagePath();

    /** Opens another storage of the backend under test at {@code path}; the caller closes it. */
    protected abstract Storage openStorage(Path path);

    /** Closes {@link #storage()}, runs {@code damage} on its files, opens it again and returns it. */
    protected abstract Storage reopenAfter(FileDamage damage) throws IOException;

    /** See {@link StorageComplianceTest#flipOneBitOfStoredDocument}. */
    protected abstract void flipOneBitOfStoredDocument(Path storagePath, String db, String key) throws IOException;

    /** See {@link StorageComplianceTest#dataSafetySupported()}. */
    protected abstract boolean supported();

    /** A test's own temporary folder (for a tmpfs mount point). */
    protected abstract Path tempDir();

    /** Changes the files of a closed storage. */
    @FunctionalInterface
    public interface FileDamage {
        void apply(Path storagePath) throws IOException;
    }

    @BeforeEach
    public final void requireSupport() {
        assumeTrue(supported(), "the data-safety kit is opt-in while the backends move to the shared write-ahead log:"
                + " override dataSafetySupported() (and flipOneBitOfStoredDocument) in the backend's kit");
    }

    // ---------------------------------------------------------------- checksums at rest

    @Test
    public void aFlippedBitInAStoredDocumentIsReportedAndNeverServed() throws IOException {
        for (int i = 0; i < 10; i++) {
            storage().put(DB, "k" + i, body(i), Storage.ANY_REVISION);
        }
        Storage storage = reopenAfter(path -> flipOneBitOfStoredDocument(path, DB, "k5"));

        PydbException e = catchThrowableOfType(PydbException.class, () -> storage.get(DB, "k5"));
        assertThat(e).as("reading the damaged document must fail, never return it").isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.CORRUPTED);
        assertThat(e.getMessage()).contains("k5").contains(DB);
        assertThat(catchThrowableOfType(PydbException.class, () -> storage.scan(DB, null, 100)).code())
                .as("a scan over the damaged document").isEqualTo(ErrorCode.CORRUPTED);
        for (int i : List.of(0, 4, 6, 9)) {
            assertThat(storage.get(DB, "k" + i)).as("k%d is intact", i)
                    .hasValueSatisfying(d -> assertThat(Bodies.sameJson(d.body(), body(i))).isTrue());
        }
        assertThat(storage.scan(DB, "k5", 100)).extracting(Document::key).containsExactly("k6", "k7", "k8", "k9");
        assertThat(storage.count(DB)).as("the damaged document is still counted").isEqualTo(10);
        assertThat(storage.put(DB, "new", json("{}"), 0)).as("the rest keeps working").isEqualTo(1);
    }

    // ---------------------------------------------------------------- group commit

    @Test
    public void aRequestThatFailsItsChecksFailsAloneAndTheOthersOfItsGroupLand() throws Exception {
        int threads = 16;
        int rounds = 30;
        AtomicInteger conflicts = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String key = "w" + t;
                writers.add(pool.submit(() -> {
                    long rev = 0;
                    for (int i = 0; i < rounds; i++) {
                        long wrong = rev + 5;
                        PydbException e = catchThrowableOfType(PydbException.class,
                                () -> storage().put(DB, key, json("{\"bad\":true}"), wrong));
                        assertThat(e).isNotNull();
                        assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
                        conflicts.incrementAndGet();
                        rev = storage().put(DB, key, json("{\"round\":" + i + "}"), rev);
                    }
                    return null;
                }));
            }
            for (Future<?> writer : writers) {
                writer.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(conflicts).hasValue(threads * rounds);
        assertEveryWriterLanded(storage(), threads, rounds);
        assertEveryWriterLanded(reopenAfter(path -> {}), threads, rounds);
    }

    private static void assertEveryWriterLanded(Storage storage, int threads, int rounds) {
        for (int t = 0; t < threads; t++) {
            Document document = storage.get(DB, "w" + t).orElseThrow();
            assertThat(document.rev()).isEqualTo(rounds);
            assertThat(Bodies.parse(document.body()).get("round").asInt()).isEqualTo(rounds - 1);
        }
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    public void aFullDiskFailsWholeWritesLosesNothingAcknowledgedAndWritesResume() throws Exception {
        try (SmallTmpfs tmpfs = SmallTmpfs.mountOrSkip(tempDir().resolve("tmpfs"), 2 << 20)) {
            Path path = tmpfs.path().resolve("data");
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            Set<String> failed = ConcurrentHashMap.newKeySet();
            String padding = "x".repeat(1500);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try (Storage storage = openStorage(path)) {
                storage.createDatabase(DB);
                Files.write(tmpfs.path().resolve("filler"), new byte[256 << 10]);
                List<Future<?>> writers = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int thread = t;
                    writers.add(pool.submit(() -> {
                        int failures = 0;
                        for (int i = 0; failures < 3 && i < 100_000; i++) {
                            String a = "t" + thread + "-" + i + "-a";
                            String b = "t" + thread + "-" + i + "-b";
                            try {
                                storage.write(DB, List.of(WriteOp.Put.of(a, json("{\"pad\":\"" + padding + "\"}")),
                                        WriteOp.Put.of(b, json("{\"pad\":\"" + padding + "\"}"))));
                                acknowledged.add(a);
                                acknowledged.add(b);
                            } catch (PydbException e) {
                                assertThat(e.code()).as("a write on a full disk: %s", e).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
                                assertThat(e.getMessage()).as("names the full disk").containsIgnoringCase("full");
                                failed.add(a);
                                failed.add(b);
                                failures++;
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> writer : writers) {
                    writer.get(240, TimeUnit.SECONDS);
                }
                assertThat(failed).as("the disk filled up").isNotEmpty();
                for (String key : acknowledged) {
                    assertThat(storage.get(DB, key)).as("reads go on: %s", key).isPresent();
                }
                for (String key : failed) {
                    assertThat(storage.get(DB, key)).as("nothing of a failed write is visible: %s", key).isEmpty();
                }
                Files.delete(tmpfs.path().resolve("filler"));
                assertThat(storage.put(DB, "after-freeing", json("{}"), 0)).as("writes resume without a restart").isEqualTo(1);
            } finally {
                pool.shutdownNow();
            }
            try (Storage storage = openStorage(path)) {
                for (String key : acknowledged) {
                    assertThat(storage.get(DB, key)).as("acknowledged before the disk filled: %s", key).isPresent();
                }
                for (String key : failed) {
                    assertThat(storage.get(DB, key)).as("a failed write never becomes durable: %s", key).isEmpty();
                }
                assertThat(storage.get(DB, "after-freeing")).isPresent();
            }
        }
    }

    // ---------------------------------------------------------------- backup and restore

    @Test
    public void aSnapshotIsOnePointInTimeWhileWritesGoOn() throws Exception {
        storage().createDatabase("second");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger written = new AtomicInteger();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<?> writer = pool.submit(() -> {
                for (int i = 1; !stop.get(); i++) {
                    // one batch keeps a and b equal; "second" gets key i only after DB has it
                    storage().write(DB, List.of(WriteOp.Put.of("a", json("{\"v\":" + i + "}")),
                            WriteOp.Put.of("b", json("{\"v\":" + i + "}")), WriteOp.Put.of("n" + i, json("{}"))));
                    storage().put("second", "n" + i, json("{}"), 0);
                    written.set(i);
                }
                return null;
            });
            for (int round = 0; round < 5; round++) {
                int before = written.get();
                while (written.get() < before + 20) {
                    Thread.onSpinWait();
                }
                try (StorageSnapshot snapshot = storage().snapshot().orElseThrow(() -> new AssertionError(
                        "a backend that passes the data-safety kit offers snapshot()"))) {
                    assertThat(snapshot.listDatabases()).containsExactly("second", DB);
                    List<Document> first = scanAll(snapshot, DB);
                    List<Document> second = scanAll(snapshot, "second");
                    assertThat(value(first, "a")).as("a batch is all in or all out").isEqualTo(value(first, "b"));
                    Set<String> firstKeys = first.stream().map(Document::key).collect(Collectors.toSet());
                    List<String> missing = second.stream().map(Document::key).filter(key -> !firstKeys.contains(key)).toList();
                    assertThat(missing).as("keys of 'second' that %s does not have, though they were written to %s first", DB, DB)
                            .isEmpty();
                    assertThat(snapshot.count(DB)).isEqualTo(first.size());
                    while (written.get() < before + 40) {
                        Thread.onSpinWait();
                    }
                    assertThat(scanAll(snapshot, DB)).as("writes after the snapshot do not change it").isEqualTo(first);
                    assertThat(scanAll(snapshot, "second")).isEqualTo(second);
                    assertThat(snapshot.indexes(DB)).isNotNull();
                }
            }
            stop.set(true);
            writer.get(60, TimeUnit.SECONDS);
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
    }

    @Test
    public void theImporterLoadsDocumentsWithTheirRevisionsAtomicallyAndDurably() throws IOException {
        storage().createDatabase("restored");
        DocumentImporter importer = storage().importer().orElseThrow(() -> new AssertionError(
                "a backend that passes the data-safety kit offers importer()"));
        importer.importDocuments("restored", List.of(new Document("k1", 7, json("{\"v\":1}")),
                new Document("k2", 1, json("{\"v\":2}")), new Document("k3", 42, json("{\"v\":3}"))));
        PydbException taken = catchThrowableOfType(PydbException.class, () -> storage().importer().orElseThrow()
                .importDocuments("restored", List.of(new Document("k4", 1, json("{}")), new Document("k2", 9, json("{}")))));
        assertThat(taken.code()).isEqualTo(ErrorCode.KEY_EXISTS);
        assertThat(taken.details()).containsEntry("index", 1);
        PydbException missing = catchThrowableOfType(PydbException.class, () -> storage().importer().orElseThrow()
                .importDocuments("nowhere", List.of(new Document("k", 1, json("{}")))));
        assertThat(missing.code()).isEqualTo(ErrorCode.DB_NOT_FOUND);

        Storage storage = reopenAfter(path -> {});
        assertThat(storage.get("restored", "k4")).as("a failed import leaves nothing").isEmpty();
        assertThat(storage.get("restored", "k1").orElseThrow().rev()).isEqualTo(7);
        assertThat(storage.get("restored", "k2").orElseThrow().rev()).isEqualTo(1);
        assertThat(storage.get("restored", "k3").orElseThrow().rev()).isEqualTo(42);
        assertThat(Bodies.parse(storage.get("restored", "k3").orElseThrow().body()).get("v").asInt()).isEqualTo(3);
        assertThat(storage.put("restored", "k1", json("{\"v\":10}"), 7)).as("revisions go on from the imported ones").isEqualTo(8);
        assertThat(storage.count("restored")).isEqualTo(3);
    }

    // ---------------------------------------------------------------- helpers

    /** A body whose first value is a string of letters (so a backend that keeps JSON text can flip a bit and stay valid JSON). */
    protected static byte[] body(int i) {
        return json("{\"payload\":\"checksummed document number " + i + "\",\"n\":" + i + "}");
    }

    private static List<Document> scanAll(StorageSnapshot snapshot, String db) {
        List<Document> all = new ArrayList<>();
        String after = null;
        while (true) {
            List<Document> page = snapshot.scan(db, after, 100);
            all.addAll(page);
            if (page.size() < 100) {
                return all;
            }
            after = page.get(page.size() - 1).key();
        }
    }

    private static int value(List<Document> documents, String key) {
        return documents.stream().filter(d -> d.key().equals(key)).findFirst()
                .map(d -> Bodies.parse(d.body()).get("v").asInt()).orElse(0);
    }
}
