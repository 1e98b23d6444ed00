package dev.pydb.storage.mapdb;

import dev.pydb.api.PydbException;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.storage.Document;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** The stored form of a document: its revision as 8 big-endian bytes, then the body bytes. */
final class StoredValue {
    private static final int REV_BYTES = Long.BYTES;

    private StoredValue() {}

    static byte[] encode(long rev, byte[] body) {
        byte[] result = new byte[REV_BYTES + body.length];
        ByteBuffer.wrap(result).putLong(rev);
        System.arraycopy(body, 0, result, REV_BYTES, body.length);
        return result;
    }

    static long rev(byte[] stored) {
        checkLength(stored);
        return ByteBuffer.wrap(stored).getLong();
    }

    static byte[] body(byte[] stored) {
        checkLength(stored);
        return Arrays.copyOfRange(stored, REV_BYTES, stored.length);
    }

    static Document decode(String key, byte[] stored) {
        return new Document(key, rev(stored), body(stored));
    }

    private static void checkLength(byte[] stored) {
        if (stored.length < REV_BYTES) {
            throw new PydbException(ErrorCode.UNAVAILABLE, "stored value of " + stored.length + " bytes is damaged");
        }
    }
}
