package dev.pydb.storage.lmdb;

import static dev.pydb.storage.lmdb.DataFiles.DB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.storage.toolkit.codec.StoredValueCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * One bit flipped in {@code data.mdb} inside a stored document (body, revision, a big document on
 * overflow pages) or a document count: the document is never served; GET and any scan that
 * reaches it answer {@code CORRUPTED}, the ERROR line names the file, database and key, and every
 * other document keeps working.
 */
final class ChecksumTest extends WithWrittenStore {
    @Test
    void aFlippedBitInABodyIsReportedNeverServedAndTheRestKeepsWorking() throws IOException {
        flipEveryCopy("person number 42\"", 7, 2);

        try (LmdbStorage storage = LmdbTestStorages.open(path); LogCapture log = LogCapture.of(LmdbTables.class)) {
            String damaged = DataFiles.key(42);
            assertCorrupted(() -> storage.get(DB, damaged), damaged);
            assertThat(log.lines()).contains("ERROR stored document failed its check: file " + file.toRealPath()
                    + ", database 'people', key '" + damaged + "': checksum mismatch"
                    + log.lines().get(0).substring(log.lines().get(0).indexOf(" (stored")));
            assertCorrupted(() -> storage.scan(DB, null, 1000), damaged);
            assertCorrupted(() -> storage.scan(DB, DataFiles.key(41), 1), damaged);

            assertThat(storage.get(DB, DataFiles.key(41)).orElseThrow().body()).isEqualTo(DataFiles.body(41));
            assertThat(storage.get(DB, DataFiles.key(43)).orElseThrow().body()).isEqualTo(DataFiles.body(43));
            assertThat(storage.scan(DB, "big", 42)).extracting(Document::key).endsWith(DataFiles.key(41));
            assertThat(storage.scan(DB, damaged, 1000)).hasSize(300 - 43);
            assertThat(storage.count(DB)).isEqualTo(301);
            assertThat(storage.put(DB, DataFiles.key(43), DataFiles.body(1), Storage.ANY_REVISION)).isEqualTo(2);
        }
    }

    @Test
    void writesOnADamagedDocumentFailExceptAnUnconditionalDelete() throws IOException {
        flipEveryCopy("person number 42\"", 3, 5);
        String damaged = DataFiles.key(42);

        try (LmdbStorage storage = LmdbTestStorages.open(path)) {
            assertCorrupted(() -> storage.put(DB, damaged, DataFiles.body(0), Storage.ANY_REVISION), damaged);
            assertCorrupted(() -> storage.put(DB, damaged, DataFiles.body(0), 1), damaged);
            assertCorrupted(() -> storage.write(DB, List.of(WriteOp.Put.of("new", DataFiles.body(0)),
                    new WriteOp.Update(damaged, body -> body, Storage.ANY_REVISION))), damaged);
            assertCorrupted(() -> storage.delete(DB, damaged, 1), damaged);
            assertThat(storage.get(DB, "new")).isEmpty();
            PydbException exists = catchThrowableOfType(PydbException.class,
                    () -> storage.insert(DB, damaged, DataFiles.body(0)));
            assertThat(exists.code()).isEqualTo(ErrorCode.KEY_EXISTS);

            storage.delete(DB, damaged, Storage.ANY_REVISION);

            assertThat(storage.get(DB, damaged)).isEmpty();
            assertThat(storage.count(DB)).isEqualTo(300);
            assertThat(storage.scan(DB, null, 1000)).hasSize(300);
            assertThat(storage.insert(DB, damaged, DataFiles.body(42))).isEqualTo(1);
        }
    }

    @Test
    void aFlippedBitInARevisionIsReported() throws IOException {
        // the revision is the 8 bytes before the body; the body starts with {"n":42,
        byte[] body = DataFiles.body(42);
        for (long offset : DataFiles.find(file, java.util.Arrays.copyOf(body, 20))) {
            DataFiles.flipBit(file, offset - 1, 1);
        }
        try (LmdbStorage storage = LmdbTestStorages.open(path)) {
            assertCorrupted(() -> storage.get(DB, DataFiles.key(42)), DataFiles.key(42));
            assertThat(storage.get(DB, DataFiles.key(40))).isPresent();
        }
    }

    @Test
    void aFlippedBitInADocumentOnOverflowPagesIsReported() throws IOException {
        flipEveryCopy("{\"pad\":\"x", 10_000, 0);

        try (LmdbStorage storage = LmdbTestStorages.open(path)) {
            assertCorrupted(() -> storage.get(DB, "big"), "big");
            assertThat(storage.get(DB, DataFiles.key(0))).isPresent();
        }
    }

    @Test
    void aDamagedCountIsReportedAndTheNextWriteStoresItAgain() throws IOException {
        byte[] name = DB.getBytes(StandardCharsets.US_ASCII);
        byte[] count = StoredValueCodec.encode(name, 1, ByteBuffer.allocate(8).putLong(0, 301).array());
        List<Long> copies = DataFiles.find(file, count);
        assertThat(copies).as("the stored count of 301").isNotEmpty();
        for (long offset : copies) {
            DataFiles.flipBit(file, offset + count.length - 1, 4);
        }
        try (LmdbStorage storage = LmdbTestStorages.open(path); LogCapture log = LogCapture.of(LmdbTables.class)) {
            PydbException e = catchThrowableOfType(PydbException.class, () -> storage.count(DB));
            assertThat(e.code()).isEqualTo(ErrorCode.CORRUPTED);
            assertThat(e.getMessage()).contains("the document count of 'people' is damaged").contains(file.toRealPath().toString());

            storage.put(DB, "one-more", DataFiles.body(1), Storage.ANY_REVISION);

            assertThat(storage.count(DB)).isEqualTo(302);
            assertThat(log.lines()).anySatisfy(line -> assertThat(line).startsWith(
                    "ERROR the document count of database 'people' in " + file.toRealPath() + " is damaged").endsWith(
                    "this write stores the count of its keys, 301"));
        }
    }

    /** Flips bit {@code bit} of the byte {@code distance} bytes after the start of every copy of {@code text} in the file. */
    private void flipEveryCopy(String text, int distance, int bit) throws IOException {
        List<Long> copies = DataFiles.find(file, text.getBytes(StandardCharsets.UTF_8));
        assertThat(copies).as("copies of %s in %s", text, file).isNotEmpty();
        for (long offset : copies) {
            DataFiles.flipBit(file, offset + distance, bit);
        }
    }

    private static void assertCorrupted(ThrowingCallable call, String key) {
        PydbException e = catchThrowableOfType(PydbException.class, call);
        assertThat(e).as("the call on the damaged document '%s'", key).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.CORRUPTED);
        assertThat(e.getMessage()).startsWith("stored document '" + key + "' in 'people' is damaged (checksum mismatch in ")
                .contains("data.mdb");
    }
}
