package dev.pydb.storage.toolkit.codec;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The checksummed value of a stored document, for backends that keep documents as byte values
 * under a key (lmdb, mapdb):
 * <pre>
 *   byte 0       0xD2: format 2 (a 0.1.0 value starts with its revision's high byte, always 0x00)
 *   bytes 1..4   CRC32C, big-endian, of (the record key's bytes, then bytes 5.. of the value)
 *   bytes 5..12  the revision, big-endian
 *   bytes 13..   the body: the document's UTF-8 JSON bytes
 * </pre>
 * The checksum covers the record key too, so a value found under another key (a misdirected write,
 * a damaged page) fails as well as a flipped bit in the value. Stateless and thread-safe.
 */
public final class StoredValueCodec {
    /** The first byte of a format-2 value. */
    public static final byte FORMAT_2 = (byte) 0xD2;
    /** Bytes before the body. */
    public static final int HEADER_BYTES = 1 + 4 + 8;

    private StoredValueCodec() {}

    /** A stored value decoded and verified: the revision and the body. */
    public record Decoded(long rev, byte[] body) {}

    /** Thrown by {@link #decode} for a value that fails its checksum or is malformed. */
    public static final class CorruptValueException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public CorruptValueException(String message) {
            super(message);
        }
    }

    /** Encodes a document's value for {@code recordKey} (the backend's own key bytes for it). */
    public static byte[] encode(byte[] recordKey, long rev, byte[] body) {
        requireNonNull(recordKey, "recordKey is null");
        requireNonNull(body, "body is null");
        byte[] value = new byte[encodedLength(body.length)];
        encodeInto(ByteBuffer.wrap(value), ByteBuffer.wrap(recordKey), rev, body);
        return value;
    }

    /** The length of the format-2 value of a body of {@code bodyLength} bytes. */
    public static int encodedLength(int bodyLength) {
        return HEADER_BYTES + bodyLength;
    }

    /**
     * Writes the format-2 value of a document stored under {@code recordKey} into {@code target}
     * (for instance a buffer the store reserved for it): {@link #encodedLength} bytes from its
     * position, with the record key from {@code recordKey}'s position to its limit. The positions
     * and limits of both buffers are left as they were.
     */
    public static void encodeInto(ByteBuffer target, ByteBuffer recordKey, long rev, byte[] body) {
        requireNonNull(target, "target is null");
        requireNonNull(recordKey, "recordKey is null");
        requireNonNull(body, "body is null");
        ByteBuffer value = target.slice().order(ByteOrder.BIG_ENDIAN);
        value.put(0, FORMAT_2);
        value.putLong(5, rev);
        value.put(HEADER_BYTES, body);
        value.putInt(1, checksum(recordKey, value, encodedLength(body.length)));
    }

    /** Whether {@code value} is in format 2 (else it is a 0.1.0 value: 8 bytes of revision, then the body). */
    public static boolean isFormat2(byte[] value) {
        return value.length > 0 && value[0] == FORMAT_2;
    }

    /** Decodes and verifies a format-2 value stored under {@code recordKey}. */
    public static Decoded decode(byte[] recordKey, byte[] value) {
        requireNonNull(recordKey, "recordKey is null");
        requireNonNull(value, "value is null");
        return decode(ByteBuffer.wrap(recordKey), ByteBuffer.wrap(value));
    }

    /**
     * Decodes and verifies a format-2 value held in a buffer (for instance memory-mapped), from
     * its position to its limit, stored under the record key from {@code recordKey}'s position to
     * its limit. Reads the value once and copies only the body; the positions and limits of both
     * buffers are left as they were.
     */
    public static Decoded decode(ByteBuffer recordKey, ByteBuffer value) {
        requireNonNull(recordKey, "recordKey is null");
        requireNonNull(value, "value is null");
        ByteBuffer v = value.slice().order(ByteOrder.BIG_ENDIAN);
        int length = v.remaining();
        if (length < HEADER_BYTES) {
            throw new CorruptValueException("value of " + length + " bytes is shorter than its " + HEADER_BYTES + "-byte header");
        }
        if (v.get(0) != FORMAT_2) {
            throw new CorruptValueException(String.format("value starts with 0x%02x, not the format byte 0x%02x", v.get(0) & 0xff, FORMAT_2 & 0xff));
        }
        int stored = v.getInt(1);
        int actual = checksum(recordKey, v, length);
        if (stored != actual) {
            throw new CorruptValueException(String.format("checksum mismatch (stored %08x, computed %08x)", stored, actual));
        }
        long rev = v.getLong(5);
        if (rev < 1) {
            throw new CorruptValueException("revision " + rev + " is not positive");
        }
        byte[] body = new byte[length - HEADER_BYTES];
        v.get(HEADER_BYTES, body);
        return new Decoded(rev, body);
    }

    /** Decodes a 0.1.0 value (revision, then body; no checksum), for upgrades. */
    public static Decoded decodeFormat1(byte[] value) {
        if (value.length < 8) {
            throw new CorruptValueException("0.1.0 value of " + value.length + " bytes has no 8-byte revision");
        }
        long rev = ByteBuffer.wrap(value).getLong(0);
        if (rev < 1) {
            throw new CorruptValueException("revision " + rev + " is not positive");
        }
        byte[] body = new byte[value.length - 8];
        System.arraycopy(value, 8, body, 0, body.length);
        return new Decoded(rev, body);
    }

    /** CRC32C of {@code key} followed by {@code length} bytes of {@code data} from {@code offset}. */
    public static int checksum(byte[] key, byte[] data, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(key, 0, key.length);
        crc.update(data, offset, length);
        return (int) crc.getValue();
    }

    /** CRC32C of the record key (position to limit), then bytes 5 to {@code length} of {@code value} (from index 0). */
    private static int checksum(ByteBuffer recordKey, ByteBuffer value, int length) {
        CRC32C crc = new CRC32C();
        crc.update(recordKey.duplicate());
        crc.update(value.duplicate().limit(length).position(5));
        return (int) crc.getValue();
    }

    /** The UTF-8 bytes of a string, for record keys built from names. */
    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
