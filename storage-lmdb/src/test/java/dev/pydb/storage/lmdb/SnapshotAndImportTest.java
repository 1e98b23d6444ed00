package dev.pydb.storage.lmdb;

import static dev.pydb.storage.lmdb.LmdbTestStorages.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.DocumentImporter;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageClosedException;
import dev.pydb.api.storage.StorageSnapshot;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code snapshot()}: one LMDB read transaction for the snapshot's life; {@code importer()}: documents with their revisions. */
final class SnapshotAndImportTest {
    @TempDir
    Path tempDir;

    @Test
    void aSnapshotSeesTheStoreAsItWasWhileWritesGoOn() {
        try (LmdbStorage storage = LmdbTestStorages.open(tempDir.resolve("data"))) {
            storage.createDatabase("a");
            storage.put("a", "k1", body("{\"v\":1}"), Storage.ANY_REVISION);
            storage.put("a", "k2", body("{\"v\":2}"), Storage.ANY_REVISION);

            try (StorageSnapshot snapshot = storage.snapshot().orElseThrow()) {
                storage.put("a", "k1", body("{\"v\":10}"), 1);
                storage.delete("a", "k2", Storage.ANY_REVISION);
                storage.put("a", "k3", body("{\"v\":3}"), Storage.ANY_REVISION);
                storage.createDatabase("b");

                assertThat(snapshot.listDatabases()).containsExactly("a");
                assertThat(snapshot.count("a")).isEqualTo(2);
                assertThat(snapshot.scan("a", null, 10)).containsExactly(new Document("k1", 1, body("{\"v\":1}")),
                        new Document("k2", 1, body("{\"v\":2}")));
                assertThat(snapshot.scan("a", "k1", 10)).extracting(Document::key).containsExactly("k2");
                assertThat(snapshot.indexes("a")).isEmpty();
                assertThat(catchThrowableOfType(PydbException.class, () -> snapshot.count("b")).code())
                        .isEqualTo(ErrorCode.DB_NOT_FOUND);
                assertThat(catchThrowableOfType(PydbException.class, () -> snapshot.indexes("b")).code())
                        .isEqualTo(ErrorCode.DB_NOT_FOUND);

                assertThat(storage.listDatabases()).containsExactly("a", "b");
                assertThat(storage.scan("a", null, 10)).extracting(Document::key).containsExactly("k1", "k3");
            }
        }
    }

    @Test
    void snapshotsHoldAReaderSlotEachButLeaveOneForReads() {
        try (LmdbStorage storage = LmdbTestStorages.open(tempDir.resolve("data"), LmdbTestStorages.options().put("max_readers", 3))) {
            storage.createDatabase("a");
            StorageSnapshot first = storage.snapshot().orElseThrow();
            StorageSnapshot second = storage.snapshot().orElseThrow();

            PydbException e = catchThrowableOfType(PydbException.class, () -> storage.snapshot());
            assertThat(e.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
            assertThat(e.getMessage()).contains("2 snapshots are open and storage.options.max_readers is 3");
            assertThat(storage.count("a")).isZero();

            first.close();
            first.close();
            assertThat(catchThrowableOfType(StorageClosedException.class, () -> first.count("a"))).isNotNull();
            storage.snapshot().orElseThrow().close();
            second.close();
        }
    }

    @Test
    void closingTheStorageClosesItsSnapshots() {
        LmdbStorage storage = LmdbTestStorages.open(tempDir.resolve("data"));
        storage.createDatabase("a");
        StorageSnapshot snapshot = storage.snapshot().orElseThrow();

        storage.close();

        assertThat(catchThrowableOfType(StorageClosedException.class, () -> snapshot.scan("a", null, 1))).isNotNull();
        snapshot.close();
    }

    @Test
    void theImporterStoresDocumentsWithTheirRevisionsDurably() {
        Path path = tempDir.resolve("data");
        try (LmdbStorage storage = LmdbTestStorages.open(path)) {
            storage.createDatabase("a");
            DocumentImporter importer = storage.importer().orElseThrow();

            importer.importDocuments("a", List.of(new Document("x", 5, body("{\"x\":5}")), new Document("y", 1, body("{}"))));
            importer.importDocuments("a", List.of(new Document("z", 9, body("{\"z\":9}"))));

            assertThat(storage.count("a")).isEqualTo(3);
            assertThat(storage.put("a", "x", body("{\"x\":6}"), 5)).isEqualTo(6);
        }
        try (LmdbStorage reopened = LmdbTestStorages.open(path)) {
            assertThat(reopened.scan("a", null, 10)).containsExactly(new Document("x", 6, body("{\"x\":6}")),
                    new Document("y", 1, body("{}")), new Document("z", 9, body("{\"z\":9}")));
            assertThat(reopened.count("a")).isEqualTo(3);
        }
    }

    @Test
    void theImporterRefusesKeysThatExistAndAppliesNothingOfThatCall() {
        try (LmdbStorage storage = LmdbTestStorages.open(tempDir.resolve("data"))) {
            storage.createDatabase("a");
            storage.put("a", "taken", body("{}"), Storage.ANY_REVISION);
            DocumentImporter importer = storage.importer().orElseThrow();

            PydbException taken = catchThrowableOfType(PydbException.class, () -> importer.importDocuments("a",
                    List.of(new Document("new", 2, body("{}")), new Document("taken", 4, body("{}")))));
            PydbException twice = catchThrowableOfType(PydbException.class, () -> importer.importDocuments("a",
                    List.of(new Document("dup", 2, body("{}")), new Document("dup", 3, body("{}")))));
            PydbException missing = catchThrowableOfType(PydbException.class, () -> importer.importDocuments("nope",
                    List.of(new Document("k", 1, body("{}")))));

            assertThat(taken.code()).isEqualTo(ErrorCode.KEY_EXISTS);
            assertThat(taken.details()).containsEntry("index", 1);
            assertThat(twice.code()).isEqualTo(ErrorCode.KEY_EXISTS);
            assertThat(twice.details()).containsEntry("index", 1);
            assertThat(missing.code()).isEqualTo(ErrorCode.DB_NOT_FOUND);
            assertThat(storage.scan("a", null, 10)).extracting(Document::key).containsExactly("taken");
            assertThat(storage.count("a")).isEqualTo(1);
        }
    }
}
