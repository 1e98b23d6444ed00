package dev.pydb.storage.lmdb;

import dev.pydb.api.Names;
import dev.pydb.storage.toolkit.codec.StoredValueCodec;
import dev.pydb.storage.toolkit.codec.StoredValueCodec.CorruptValueException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The byte layout of the {@code lmdb} backend's records (see {@code docs/STORAGE-LMDB.md}).
 *
 * <ul>
 *   <li>document key: {@code <db name, ASCII> 0x00 <key, UTF-8>}; database names never contain
 *       {@code 0x00}, so the prefix {@code <db> 0x00} selects exactly one database, and within it
 *       LMDB's unsigned byte order is {@link dev.pydb.api.storage.KeyOrder}.</li>
 *   <li>document value: the toolkit's {@link StoredValueCodec} format 2 ({@code 0xD2}, CRC32C
 *       over the record key, revision and body, the revision, the body).</li>
 *   <li>database entry: key = the name, value = the document count as the body (8 bytes
 *       big-endian) of a format-2 value of revision 1 under the name, so it is checksummed too.</li>
 *   <li>format 1 (0.1.0, read only by the {@link FormatUpgrade}): a document value was the revision
 *       as 8 bytes big-endian, then the body; a count was 8 bytes big-endian.</li>
 * </ul>
 *
 * Buffers handed to lmdbjava are direct, positioned at 0 and limited to their content.
 */
final class RecordCodec {
    static final byte SEPARATOR = 0;

    private RecordCodec() {}

    /** The prefix {@code <db> 0x00} shared by all documents of {@code db}. */
    static byte[] prefix(String db) {
        byte[] name = databaseName(db);
        byte[] prefix = new byte[name.length + 1];
        System.arraycopy(name, 0, prefix, 0, name.length);
        prefix[name.length] = SEPARATOR;
        return prefix;
    }

    /** The database entry key: the name's ASCII bytes. */
    static byte[] databaseName(String db) {
        return Names.requireDatabaseName(db).getBytes(StandardCharsets.US_ASCII);
    }

    /** The document key {@code <db> 0x00 <key>} in a new direct buffer. */
    static ByteBuffer documentKey(byte[] prefix, String key) {
        byte[] keyBytes = keyBytes(key);
        ByteBuffer buffer = ByteBuffer.allocateDirect(prefix.length + keyBytes.length);
        buffer.put(prefix).put(keyBytes).flip();
        return buffer;
    }

    /**
     * What follows the database prefix in the seek position of "strictly after {@code afterKey}":
     * {@code UTF-8(afterKey)}, cut to {@link Names#MAX_KEY_BYTES} bytes. The cut is exact: no
     * stored key is longer than the cut key, so a stored key is after {@code afterKey} if and only
     * if it is after the cut key. Unpaired surrogates are encoded like other code points (3 bytes),
     * which keeps code point order.
     */
    static byte[] seekSuffix(String afterKey) {
        byte[] keyBytes = codePointBytes(afterKey);
        return keyBytes.length <= Names.MAX_KEY_BYTES ? keyBytes : Arrays.copyOf(keyBytes, Names.MAX_KEY_BYTES);
    }

    private static byte[] codePointBytes(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() * 3);
        s.codePoints().forEach(cp -> {
            if (cp < 0x80) {
                out.write(cp);
            } else if (cp < 0x800) {
                out.write(0xC0 | (cp >> 6));
                out.write(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                out.write(0xE0 | (cp >> 12));
                out.write(0x80 | ((cp >> 6) & 0x3F));
                out.write(0x80 | (cp & 0x3F));
            } else {
                out.write(0xF0 | (cp >> 18));
                out.write(0x80 | ((cp >> 12) & 0x3F));
                out.write(0x80 | ((cp >> 6) & 0x3F));
                out.write(0x80 | (cp & 0x3F));
            }
        });
        return out.toByteArray();
    }

    /** The UTF-8 bytes of a key, after checking the protocol's rules (which reject unpaired surrogates). */
    static byte[] keyBytes(String key) {
        return Names.requireKey(key).getBytes(StandardCharsets.UTF_8);
    }

    /** A direct buffer holding exactly {@code bytes}. */
    static ByteBuffer direct(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length);
        buffer.put(bytes).flip();
        return buffer;
    }

    /** Whether {@code recordKey} (from LMDB, positioned at 0) starts with {@code prefix}. */
    static boolean hasPrefix(ByteBuffer recordKey, byte[] prefix) {
        if (recordKey.remaining() < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (recordKey.get(i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** The document key of a record key known to start with {@code prefix}. */
    static String documentKeyOf(ByteBuffer recordKey, byte[] prefix) {
        byte[] keyBytes = new byte[recordKey.remaining() - prefix.length];
        recordKey.get(prefix.length, keyBytes);
        return new String(keyBytes, StandardCharsets.UTF_8);
    }

    /** The database name of a database entry key. */
    static String databaseNameOf(ByteBuffer entryKey) {
        byte[] name = new byte[entryKey.remaining()];
        entryKey.get(0, name);
        return new String(name, StandardCharsets.US_ASCII);
    }

    /** The length of the format-2 value of a body. */
    static int documentValueLength(byte[] body) {
        return StoredValueCodec.encodedLength(body.length);
    }

    /** Writes the format-2 value of a document into {@code target} (reserved, of {@link #documentValueLength}). */
    static void writeDocumentValue(ByteBuffer target, ByteBuffer recordKey, long rev, byte[] body) {
        StoredValueCodec.encodeInto(target, recordKey, rev, body);
    }

    /** Verifies and decodes a stored document value; {@link CorruptValueException} if it fails its checksum. */
    static StoredValueCodec.Decoded decodeDocument(ByteBuffer recordKey, ByteBuffer value) {
        return StoredValueCodec.decode(recordKey, value);
    }

    /** Whether a stored value (document or count) is in format 2, by its first byte. */
    static boolean isFormat2(ByteBuffer value) {
        return value.remaining() > 0 && value.get(value.position()) == StoredValueCodec.FORMAT_2;
    }

    /** The format-2 value of a database's document count, in a new direct buffer. */
    static ByteBuffer countValue(byte[] databaseName, long count) {
        return direct(StoredValueCodec.encode(databaseName, 1, ByteBuffer.allocate(Long.BYTES).putLong(0, count).array()));
    }

    /** The document count in a database entry's value; {@link CorruptValueException} if it fails its checksum. */
    static long countOf(ByteBuffer databaseName, ByteBuffer value) {
        StoredValueCodec.Decoded decoded = StoredValueCodec.decode(databaseName, value);
        if (decoded.rev() != 1 || decoded.body().length != Long.BYTES) {
            throw new CorruptValueException("a document count of " + decoded.body().length + " bytes at revision " + decoded.rev());
        }
        long count = ByteBuffer.wrap(decoded.body()).getLong(0);
        if (count < 0) {
            throw new CorruptValueException("a negative document count " + count);
        }
        return count;
    }

    /** An 8-byte big-endian number in a new direct buffer. */
    static ByteBuffer number(long value) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(Long.BYTES).order(ByteOrder.BIG_ENDIAN);
        buffer.putLong(0, value);
        return buffer;
    }

    /** The 8-byte big-endian number in {@code value}. */
    static long numberOf(ByteBuffer value) {
        return value.order(ByteOrder.BIG_ENDIAN).getLong(0);
    }
}
