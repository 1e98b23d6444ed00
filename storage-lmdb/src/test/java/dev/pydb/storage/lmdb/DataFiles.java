package dev.pydb.storage.lmdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.storage.toolkit.codec.StoredValueCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Builds, inspects and damages {@code data.mdb} files for the tests. */
final class DataFiles {
    static final String DB = "people";

    private DataFiles() {}

    /**
     * A closed store in {@code path} with database {@link #DB}: 200 small documents, one big one
     * (on overflow pages), and, committed last, a batch of 100 new documents, so the last pages of
     * the file are pages of the newest trees.
     */
    static void writeStore(Path path) {
        try (LmdbStorage storage = LmdbTestStorages.open(path)) {
            storage.createDatabase(DB);
            List<WriteOp> first = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                first.add(WriteOp.Put.of(key(i), body(i)));
            }
            storage.write(DB, first);
            storage.put(DB, "big", LmdbTestStorages.bodyOfSize(20_000), Storage.ANY_REVISION);
            List<WriteOp> last = new ArrayList<>();
            for (int i = 200; i < 300; i++) {
                last.add(WriteOp.Put.of(key(i), body(i)));
            }
            storage.write(DB, last);
        }
    }

    static String key(int i) {
        return String.format("person-%04d", i);
    }

    static byte[] body(int i) {
        return ("{\"n\":" + i + ",\"name\":\"person number " + i + "\",\"pad\":\"" + "p".repeat(200) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The meta page LMDB uses, after checking that the file passes the header check. */
    static MetaPage newestMeta(Path path) {
        DataFileCheck.Result check = DataFileCheck.check(path);
        assertThat(check.problem()).as("the header check of %s", path).isEmpty();
        return check.newest().orElseThrow();
    }

    /**
     * Where the value of document {@code key} of database {@code db} lies in the closed store's
     * {@code data.mdb}: the live copy, found by walking the {@code documents} tree of the newer
     * meta page (older copies in free pages are left alone).
     */
    static long valueOffset(Path path, String db, String key) throws IOException {
        MetaPage meta = newestMeta(path);
        byte[] recordKey = bytes(RecordCodec.documentKey(RecordCodec.prefix(db), key));
        long[] offset = {-1};
        try (LmdbDataFile file = LmdbDataFile.open(dataFile(path))) {
            new PageTree(file, meta.pageSize(), meta.lastPage()).walk("main", meta.mainTree().root(), new PageTree.Visitor() {
                @Override
                public boolean descendInto(String database) {
                    return database.equals("documents");
                }

                @Override
                public void leaf(String tree, PageTree.LeafNode node) {
                    if (tree.equals("documents") && Arrays.equals(node.key(), recordKey)) {
                        offset[0] = node.valueOffset();
                    }
                }

                @Override
                public void damage(String tree, long page, String problem) {
                    throw new AssertionError(problem);
                }
            });
        }
        assertThat(offset[0]).as("the value of '%s' in '%s' in %s", key, db, path).isNotNegative();
        return offset[0];
    }

    /**
     * Flips one bit of the body of document {@code key} (the kit's hook): bit 0 of the body's
     * third byte, inside the value's checksummed part.
     */
    static void flipOneBitOfBody(Path path, String db, String key) throws IOException {
        flipBit(dataFile(path), valueOffset(path, db, key) + StoredValueCodec.HEADER_BYTES + 2, 0);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    static Path dataFile(Path path) {
        return path.resolve(LmdbDataFile.NAME);
    }

    static void truncate(Path file, long size) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(size);
        }
    }

    /** Flips bit {@code bit} (0 to 7) of the byte at {@code offset}. */
    static void flipBit(Path file, long offset, int bit) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, offset);
            one.put(0, (byte) (one.get(0) ^ (1 << bit)));
            one.rewind();
            channel.write(one, offset);
        }
    }

    /** Writes {@code bytes} at {@code offset}. */
    static void overwrite(Path file, long offset, byte[] bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(bytes), offset);
        }
    }

    /** The offsets of every occurrence of {@code needle} in the file. */
    static List<Long> find(Path file, byte[] needle) throws IOException {
        byte[] data = Files.readAllBytes(file);
        List<Long> found = new ArrayList<>();
        outer:
        for (int i = 0; i + needle.length <= data.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (data[i + j] != needle[j]) {
                    continue outer;
                }
            }
            found.add((long) i);
        }
        return found;
    }

    /** A little-endian u64 at {@code offset}. */
    static byte[] u64(long value) {
        return ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0, value).array();
    }
}
