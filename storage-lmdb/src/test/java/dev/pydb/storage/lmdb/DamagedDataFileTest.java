package dev.pydb.storage.lmdb;

import static dev.pydb.storage.lmdb.DataFiles.DB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.Txn;

/**
 * A truncated or damaged {@code data.mdb} refuses the start with {@code UNAVAILABLE} and a message
 * naming the file and what is wrong, in this JVM, without the SIGBUS that mapping it would raise
 * ({@link DamagedDataFileChildTest} shows that crash); a file that is short only of free pages,
 * which LMDB leaves behind in normal operation, opens with every document.
 */
final class DamagedDataFileTest extends WithWrittenStore {
    private static final long PAGE = 4096;

    @ParameterizedTest(name = "cut to {0} bytes")
    @ValueSource(longs = {0, 100, PAGE, PAGE + 100, 2 * PAGE, 2 * PAGE + 1, 3 * PAGE})
    void aFileCutInsideOrJustPastItsMetaPagesIsRefused(long size) throws IOException {
        DataFiles.truncate(file, size);

        PydbException e = refusal();

        String expected = size == 0 ? "it is empty (0 bytes)"
                : size < MetaPage.BYTES ? "it is 100 bytes long and ends inside meta page 0"
                : size < PAGE + MetaPage.BYTES ? "ends inside meta page 1"
                : "lies beyond the end of the file (" + size + " bytes";
        assertThat(e.getMessage()).contains(file + " is damaged: ").contains(expected);
    }

    @Test
    void aFileOneWholePageShortOfItsLastPageIsRefused() throws IOException {
        MetaPage meta = DataFiles.newestMeta(path);
        assertThat(Files.size(file)).as("the last commit wrote the last page (a precondition)").isEqualTo(meta.dataBytes());
        DataFiles.truncate(file, meta.dataBytes() - PAGE);

        PydbException e = refusal();

        assertThat(e.getMessage()).contains(file + " is damaged: it is " + (meta.dataBytes() - PAGE) + " bytes long")
                .contains("says pages up to " + meta.lastPage() + " are in use")
                .contains("page " + meta.lastPage() + " lies beyond the end of the file")
                .contains("the file was cut short")
                .endsWith("; restore the folder from a backup");
    }

    @Test
    void everyCutAtAPageBoundaryIsRefusedOrOpensWithEveryDocument() throws IOException {
        byte[] whole = Files.readAllBytes(file);
        long pages = whole.length / PAGE;
        int refused = 0;
        for (long kept = 0; kept < pages; kept++) {
            Files.write(file, whole);
            DataFiles.truncate(file, kept * PAGE);
            try (LmdbStorage storage = LmdbTestStorages.open(path)) {
                assertThat(storage.count(DB)).as("cut to %d pages", kept).isEqualTo(301);
                assertThat(storage.scan(DB, null, 1000)).hasSize(301);
            } catch (PydbException e) {
                assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                assertThat(e.getMessage()).contains(file + " is damaged");
                refused++;
            }
        }
        assertThat(refused).as("cuts refused of %d", pages).isPositive();
    }

    @Test
    void aFileShortOnlyOfPagesFreedInTheTransactionThatAllocatedThemOpens() throws IOException {
        // writing and deleting many documents in one transaction leaves pages that were never
        // written at the end of the file: LMDB's last page in use lies past the end of the file
        Path shortStore = tempDir.resolve("short");
        LmdbTestStorages.open(shortStore).close();
        long shortBy = 0;
        try (Env<ByteBuffer> env = Env.create().setMapSize(1 << 26).setMaxDbs(4).open(shortStore.toFile(), EnvFlags.MDB_NOTLS)) {
            Dbi<ByteBuffer> scratch = env.openDbi("scratch", DbiFlags.MDB_CREATE);
            for (int round = 0; round < 50 && shortBy == 0; round++) {
                try (Txn<ByteBuffer> txn = env.txnWrite()) {
                    List<ByteBuffer> keys = new ArrayList<>();
                    for (int i = 0; i < 500; i++) {
                        ByteBuffer key = RecordCodec.direct(String.format("r%03d-%05d", round, i).getBytes());
                        keys.add(key);
                        scratch.put(txn, key, RecordCodec.direct(new byte[i % 5 == 0 ? 5000 : 100]));
                    }
                    keys.forEach(key -> scratch.delete(txn, key));
                    txn.commit();
                }
                shortBy = DataFiles.newestMeta(shortStore).dataBytes() - Files.size(DataFiles.dataFile(shortStore));
            }
        }
        assertThat(shortBy).as("bytes the file is short of its last page in use (a precondition)").isPositive();

        try (LmdbStorage storage = LmdbTestStorages.open(shortStore)) {
            storage.createDatabase("after");
            storage.put("after", "k", LmdbTestStorages.body("{}"), -1);
            assertThat(storage.get("after", "k")).isPresent();
        }
        DataFileCheck.Result check = DataFileCheck.check(shortStore);
        assertThat(check.problem()).isEmpty();
        assertThat(check.note()).contains("says pages up to").contains("every page past the end is free");
    }

    @ParameterizedTest(name = "meta page {0}")
    @ValueSource(ints = {0, 1})
    void aDamagedMagicNumberIsRefused(int metaPage) throws IOException {
        DataFiles.flipBit(file, metaPage * PAGE + 16, 3);

        assertThat(refusal().getMessage()).contains(file + " is damaged: meta page " + metaPage
                + " has the magic number 0xbeefc0d6, not LMDB's 0xbeefc0de");
    }

    @Test
    void aDamagedTransactionIdIsRefused() throws IOException {
        MetaPage meta = DataFiles.newestMeta(path);
        DataFiles.flipBit(file, meta.index() * PAGE + 144 + 5, 0);

        assertThat(refusal().getMessage()).contains(file + " is damaged: meta page 0 holds transaction ")
                .contains("so they must be consecutive");
    }

    @Test
    void aLastPageBeyondTheMapSizeIsRefused() throws IOException {
        MetaPage meta = DataFiles.newestMeta(path);
        DataFiles.overwrite(file, meta.index() * PAGE + 136, DataFiles.u64(meta.mapSize()));

        assertThat(refusal().getMessage()).contains(file + " is damaged: meta page " + meta.index())
                .contains("beyond its own map size of " + meta.mapSize() + " bytes");
    }

    @Test
    void aRootOutsideThePagesInUseIsRefused() throws IOException {
        MetaPage meta = DataFiles.newestMeta(path);
        DataFiles.overwrite(file, meta.index() * PAGE + 88 + 40, DataFiles.u64(meta.lastPage() + 1));

        assertThat(refusal().getMessage()).contains("has its main tree's root at page " + (meta.lastPage() + 1)
                + ", outside pages 2 to " + meta.lastPage());
    }

    @Test
    void anIntactFileStillOpensWithEveryDocument() {
        try (LmdbStorage storage = LmdbTestStorages.open(path)) {
            List<Document> all = storage.scan(DB, null, 1000);
            assertThat(all).hasSize(301);
            assertThat(storage.get(DB, DataFiles.key(7)).orElseThrow().body()).isEqualTo(DataFiles.body(7));
        }
    }

    private PydbException refusal() {
        PydbException e = catchThrowableOfType(PydbException.class, () -> LmdbTestStorages.open(path).close());
        assertThat(e).as("opening %s", path).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(e.getMessage()).startsWith("cannot open the lmdb data in " + path.toAbsolutePath() + ": ");
        return e;
    }
}
