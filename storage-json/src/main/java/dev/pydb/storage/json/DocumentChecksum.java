package dev.pydb.storage.json;

import dev.pydb.api.storage.Document;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.zip.CRC32C;

/**
 * The checksum of a stored document: CRC32C over its key's UTF-8 bytes, its revision (8 bytes,
 * big-endian) and its compact body, written as 8 lower-case hex digits. The same bytes in the same
 * order as the toolkit's format-2 stored value ({@code StoredValueCodec}), so a document has one
 * checksum whatever backend holds it.
 */
final class DocumentChecksum {
    private static final HexFormat HEX = HexFormat.of();

    private DocumentChecksum() {}

    static String of(Document document) {
        return of(document.key(), document.rev(), document.body());
    }

    static String of(String key, long rev, byte[] body) {
        CRC32C crc = new CRC32C();
        crc.update(key.getBytes(StandardCharsets.UTF_8));
        byte[] revision = new byte[8];
        for (int i = 0; i < 8; i++) {
            revision[i] = (byte) (rev >>> (56 - 8 * i));
        }
        crc.update(revision);
        crc.update(body);
        return HEX.toHexDigits((int) crc.getValue());
    }
}
