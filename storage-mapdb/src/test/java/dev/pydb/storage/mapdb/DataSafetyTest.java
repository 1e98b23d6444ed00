package dev.pydb.storage.mapdb;

import static dev.pydb.storage.mapdb.Stores.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageOptions;
import dev.pydb.api.storage.StorageVerifier;
import dev.pydb.storage.toolkit.codec.StoredValueCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.Serializer;

/**
 * Issue 11 for mapdb: damage in the operation log (a damaged record in the middle refuses the
 * start naming file and offset; a torn last record is cut), the upgrade of a 0.1.0 store to
 * checksummed values, the verifier, and owner-only file modes.
 */
class DataSafetyTest {
    @TempDir
    Path dir;

    /** A crash image (files copied while open) with 600 documents in the operation log, 6 per record. */
    private Path crashImageWithLog() throws IOException {
        Path live = dir.resolve("live");
        Path crashed = dir.resolve("crashed");
        try (MapdbStorage storage = Stores.open(live)) {
            storage.createDatabase("d");
            for (int i = 0; i < 100; i++) {
                List<dev.pydb.api.storage.WriteOp> ops = new java.util.ArrayList<>();
                for (int j = 0; j < 6; j++) {
                    ops.add(dev.pydb.api.storage.WriteOp.Put.of("k" + i + "-" + j, json("{\"i\":" + i + "}")));
                }
                storage.write("d", ops);
            }
            Files.createDirectories(crashed);
            try (Stream<Path> files = Files.list(live)) {
                for (Path file : files.toList()) {
                    if (!file.getFileName().toString().endsWith(".lock")) {
                        Files.copy(file, crashed.resolve(file.getFileName()));
                    }
                }
            }
        }
        return crashed;
    }

    @Test
    void eightBytesFlippedInTheMiddleOfTheOperationLogRefuseTheStartNamingFileAndOffset() throws IOException {
        Path crashed = crashImageWithLog();
        Path oplog = crashed.resolve("pydb.mapdb.oplog");
        byte[] bytes = Files.readAllBytes(oplog);
        int middle = bytes.length / 2;
        for (int i = 0; i < 8; i++) {
            bytes[middle + i] ^= (byte) 0xff;
        }
        Files.write(oplog, bytes);
        byte[] damaged = bytes.clone();

        PydbException e = catchThrowableOfType(PydbException.class, () -> Stores.open(crashed));

        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(e.getMessage()).contains(oplog.toString()).containsPattern("damaged at offset \\d+");
        assertThat(Files.readAllBytes(oplog)).as("a refused start changes no file").isEqualTo(damaged);
        StorageVerifier.Report report = verify(crashed);
        assertThat(report.clean()).isFalse();
        assertThat(report.damage()).anySatisfy(d -> {
            assertThat(d.file()).isEqualTo(oplog.toString());
            assertThat(d.offset()).isPositive();
        });
        System.out.printf("mapdb: 8 bytes flipped at offset %d of a %d-byte operation log: start refused (%s)%n", middle,
                bytes.length, e.getMessage());
    }

    @Test
    void aTornLastRecordIsCutAndEveryEarlierRecordReplayed() throws IOException {
        Path crashed = crashImageWithLog();
        Path oplog = crashed.resolve("pydb.mapdb.oplog");
        long size = Files.size(oplog);
        try (var channel = java.nio.channels.FileChannel.open(oplog, StandardOpenOption.WRITE)) {
            channel.truncate(size - 10);
        }
        assertThat(verify(crashed).clean()).as("a torn tail is not damage: it was never acknowledged").isTrue();

        try (MapdbStorage storage = Stores.open(crashed)) {
            assertThat(storage.count("d")).isEqualTo(594);
            assertThat(storage.get("d", "k98-5")).isPresent();
            assertThat(storage.get("d", "k99-0")).as("the torn last group").isEmpty();
            storage.put("d", "after", json("{}"), 0);
        }
        try (MapdbStorage again = Stores.open(crashed)) {
            assertThat(again.count("d")).isEqualTo(595);
        }
    }

    @Test
    void aFlippedBitIsReportedByTheVerifierWithDatabaseAndKey() throws IOException {
        Path path = dir.resolve("store");
        try (MapdbStorage storage = Stores.open(path)) {
            storage.createDatabase("d");
            for (int i = 0; i < 10; i++) {
                storage.put("d", "k" + i, json("{\"payload\":\"document number " + i + "\"}"), 0);
            }
        }
        assertThat(verify(path).clean()).isTrue();
        StoredDocuments.flipOneBit(path, "d", "k3");

        StorageVerifier.Report report = verify(path);

        assertThat(report.documents()).isEqualTo(10);
        assertThat(report.damage()).singleElement().satisfies(d -> {
            assertThat(d.database()).isEqualTo("d");
            assertThat(d.key()).isEqualTo("k3");
            assertThat(d.problem()).contains("checksum");
        });
        try (MapdbStorage storage = Stores.open(path)) {
            PydbException e = catchThrowableOfType(PydbException.class, () -> storage.get("d", "k3"));
            assertThat(e.code()).isEqualTo(ErrorCode.CORRUPTED);
            assertThat(e.getMessage()).contains("k3").contains("'d'").contains("pydb.mapdb");
            assertThat(storage.get("d", "k4")).isPresent();
        }
    }

    @Test
    void aStoreOfVersion010IsUpgradedInPlaceToChecksummedValues() throws IOException {
        Path path = dir.resolve("old");
        Files.createDirectories(path);
        Path file = path.resolve(MapdbStorageProvider.FILE_NAME);
        // what 0.1.0 wrote: format 2 (operation log), values = revision (8 bytes) then the body
        MapdbStore.OpenedDb opened = MapdbStorageProvider.openDb(file, MapdbOptions.defaults());
        DB db = opened.db();
        db.atomicInteger("pydb.format").createOrOpen().set(2);
        BTreeMap<String, Long> databases = db.treeMap("pydb.databases", Serializer.STRING, Serializer.LONG).createOrOpen();
        BTreeMap<byte[], byte[]> documents = db.treeMap("pydb.documents", Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY)
                .valuesOutsideNodesEnable().createOrOpen();
        db.atomicLong("pydb.checkpoint_sequence").createOrOpen();
        databases.put("shop", 2L);
        documents.put(KeyCodec.encode("shop", "a"), format1(3, "{\"v\":1}"));
        documents.put(KeyCodec.encode("shop", "b"), format1(1, "{\"v\":2}"));
        db.commit();
        db.close();

        try (MapdbStorage storage = Stores.open(path)) {
            assertThat(storage.get("shop", "a")).contains(new Document("a", 3, json("{\"v\":1}")));
            assertThat(storage.scan("shop", null, 10)).extracting(Document::key).containsExactly("a", "b");
            assertThat(storage.put("shop", "a", json("{\"v\":9}"), 3)).isEqualTo(4);
        }
        assertThat(verify(path).clean()).isTrue();
        MapdbStore.OpenedDb again = MapdbStorageProvider.openDb(file, MapdbOptions.defaults());
        try {
            assertThat(again.db().atomicInteger("pydb.format").open().get()).isEqualTo(MapdbStore.FORMAT_VERSION);
            byte[] b = again.db().treeMap("pydb.documents", Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY)
                    .valuesOutsideNodesEnable().open().get(KeyCodec.encode("shop", "b"));
            assertThat(StoredValueCodec.isFormat2(b)).isTrue();
            assertThat(StoredValueCodec.decode(KeyCodec.encode("shop", "b"), b).rev()).isEqualTo(1);
        } finally {
            again.db().close();
        }
    }

    @Test
    void filesAreOwnerOnly() throws IOException {
        Path path = dir.resolve("modes");
        try (MapdbStorage storage = Stores.open(path)) {
            storage.createDatabase("d");
            storage.put("d", "k", json("{}"), 0);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rwx------");
            try (Stream<Path> files = Files.list(path)) {
                for (Path file : files.toList()) {
                    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as("%s", file)
                            .isEqualTo("rw-------");
                }
            }
        }
    }

    @Test
    void theVerifierRefusesAStorageThatIsOpen() {
        Path path = dir.resolve("open");
        try (MapdbStorage storage = Stores.open(path)) {
            PydbException e = catchThrowableOfType(PydbException.class, () -> verify(path));
            assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        }
    }

    private static byte[] format1(long rev, String body) {
        byte[] bytes = json(body);
        return ByteBuffer.allocate(8 + bytes.length).putLong(rev).put(bytes).array();
    }

    private StorageVerifier.Report verify(Path path) {
        return new MapdbStorageProvider().verifier().orElseThrow().verify(new StorageConfig(path, StorageOptions.empty()),
                new TestContext(path), StorageVerifier.Progress.NONE);
    }
}
