package dev.pydb.storage.mapdb;

import dev.pydb.api.PydbException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns (database, key) into the byte[] keys of the one documents map: the database name's
 * ASCII bytes, a 0x00 separator, then the key's UTF-8 bytes. Database names never contain 0x00,
 * so each database is one contiguous range, and MapDB's unsigned byte[] order within it is
 * {@link dev.pydb.api.storage.KeyOrder} (code point order).
 */
final class KeyCodec {
    private static final byte SEPARATOR = 0x00;

    private KeyCodec() {}

    /** The first possible stored key of {@code db}: {@code db + 0x00}. */
    static byte[] lowerBound(String db) {
        byte[] name = db.getBytes(StandardCharsets.US_ASCII);
        byte[] result = Arrays.copyOf(name, name.length + 1);
        result[name.length] = SEPARATOR;
        return result;
    }

    /** The first stored key after every key of {@code db}: {@code db + 0x01} (exclusive). */
    static byte[] upperBound(String db) {
        byte[] result = lowerBound(db);
        result[result.length - 1] = SEPARATOR + 1;
        return result;
    }

    static byte[] encode(String db, String key) {
        byte[] name = db.getBytes(StandardCharsets.US_ASCII);
        byte[] keyBytes = utf8(key);
        byte[] result = new byte[name.length + 1 + keyBytes.length];
        System.arraycopy(name, 0, result, 0, name.length);
        result[name.length] = SEPARATOR;
        System.arraycopy(keyBytes, 0, result, name.length + 1, keyBytes.length);
        return result;
    }

    /** The document key of a stored key of {@code db}. */
    static String decodeKey(String db, byte[] stored) {
        int offset = db.length() + 1;
        return new String(stored, offset, stored.length - offset, StandardCharsets.UTF_8);
    }

    /**
     * The UTF-8 bytes of {@code key}. A lone surrogate has no UTF-8 form (Java would write '?'
     * and merge distinct keys), so it is refused.
     */
    private static byte[] utf8(String key) {
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < key.length() && Character.isLowSurrogate(key.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw PydbException.badRequest("key contains a lone UTF-16 surrogate at index " + i + "; keys must be valid Unicode");
            }
        }
        return key.getBytes(StandardCharsets.UTF_8);
    }
}
