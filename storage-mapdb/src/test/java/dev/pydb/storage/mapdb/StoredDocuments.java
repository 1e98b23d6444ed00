package dev.pydb.storage.mapdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pydb.api.storage.Document;
import dev.pydb.storage.toolkit.codec.StoredValueCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Damages the stored value of a document in a closed store's file, for the data-safety tests. */
final class StoredDocuments {
    private StoredDocuments() {}

    /**
     * Flips one bit in the body of every copy of the document's stored value in
     * {@code pydb.mapdb}: the value is found as its exact format-2 bytes (header, checksum over
     * the stored key, body), read through a storage opened and closed again first.
     */
    static void flipOneBit(Path storagePath, String db, String key) throws IOException {
        Document document;
        try (MapdbStorage storage = Stores.open(storagePath)) {
            document = storage.get(db, key).orElseThrow();
        }
        byte[] value = StoredValueCodec.encode(KeyCodec.encode(db, key), document.rev(), document.body());
        Path file = storagePath.resolve(MapdbStorageProvider.FILE_NAME);
        byte[] bytes = Files.readAllBytes(file);
        List<Integer> found = indexesOf(bytes, value);
        assertThat(found).as("the stored value of %s/%s in %s", db, key, file).isNotEmpty();
        for (int at : found) {
            bytes[at + StoredValueCodec.HEADER_BYTES + document.body().length / 2] ^= 0x04;
        }
        Files.write(file, bytes);
    }

    private static List<Integer> indexesOf(byte[] bytes, byte[] part) {
        List<Integer> result = new ArrayList<>();
        for (int i = 0; i + part.length <= bytes.length; i++) {
            if (bytes[i] == part[0] && Arrays.equals(bytes, i, i + part.length, part, 0, part.length)) {
                result.add(i);
            }
        }
        return result;
    }
}
