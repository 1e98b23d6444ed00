package dev.pydb.storage.mapdb;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The logical operations applied to a {@link MapdbStore} since its last group commit, encoded
 * for one {@link OperationLog} record, and their replay. Each operation sets state (a document
 * value, a document removal, a database's count, a database drop), so replaying the records after
 * a checkpoint, in order, on the checkpoint's state rebuilds exactly the acknowledged state.
 */
final class Operations {
    /** What {@link #replay} applies each decoded operation to. */
    interface Target {
        void putDocument(byte[] storedKey, byte[] value);

        void removeDocument(byte[] storedKey);

        void setCount(String db, long count);

        void dropDatabase(String db);
    }

    private static final byte PUT = 1;
    private static final byte REMOVE = 2;
    private static final byte COUNT = 3;
    private static final byte DROP = 4;

    private byte[] buffer = new byte[4096];
    private int size;
    private int count;

    void putDocument(byte[] storedKey, byte[] value) {
        ensure(1 + 4 + storedKey.length + 4 + value.length);
        buffer[size++] = PUT;
        putBytes(storedKey);
        putBytes(value);
        count++;
    }

    void removeDocument(byte[] storedKey) {
        ensure(1 + 4 + storedKey.length);
        buffer[size++] = REMOVE;
        putBytes(storedKey);
        count++;
    }

    void setCount(String db, long documents) {
        byte[] name = db.getBytes(StandardCharsets.US_ASCII);
        ensure(1 + 4 + name.length + 8);
        buffer[size++] = COUNT;
        putBytes(name);
        ByteBuffer.wrap(buffer, size, Long.BYTES).putLong(documents);
        size += Long.BYTES;
        count++;
    }

    void dropDatabase(String db) {
        byte[] name = db.getBytes(StandardCharsets.US_ASCII);
        ensure(1 + 4 + name.length);
        buffer[size++] = DROP;
        putBytes(name);
        count++;
    }

    boolean isEmpty() {
        return count == 0;
    }

    /** Operations recorded since the last {@link #clear()}. */
    int count() {
        return count;
    }

    /** The encoded operations; valid until the next change. */
    ByteBuffer encoded() {
        return ByteBuffer.wrap(buffer, 0, size);
    }

    void clear() {
        size = 0;
        count = 0;
        if (buffer.length > 1 << 20) {
            buffer = new byte[4096];
        }
    }

    /** Applies the encoded operations of one record, in order; {@code UNAVAILABLE} if they are damaged. */
    static int replay(ByteBuffer encoded, Target target) {
        ByteBuffer in = encoded.duplicate();
        int replayed = 0;
        try {
            while (in.hasRemaining()) {
                byte type = in.get();
                switch (type) {
                    case PUT -> {
                        byte[] key = bytes(in);
                        target.putDocument(key, bytes(in));
                    }
                    case REMOVE -> target.removeDocument(bytes(in));
                    case COUNT -> {
                        String db = new String(bytes(in), StandardCharsets.US_ASCII);
                        target.setCount(db, in.getLong());
                    }
                    case DROP -> target.dropDatabase(new String(bytes(in), StandardCharsets.US_ASCII));
                    default -> throw damaged("unknown operation type " + type);
                }
                replayed++;
            }
        } catch (BufferUnderflowException | NegativeArraySizeException e) {
            throw damaged("truncated operation");
        }
        return replayed;
    }

    private static PydbException damaged(String what) {
        return new PydbException(ErrorCode.UNAVAILABLE, "the operation log is damaged: " + what);
    }

    private static byte[] bytes(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new BufferUnderflowException();
        }
        byte[] result = new byte[length];
        in.get(result);
        return result;
    }

    private void putBytes(byte[] bytes) {
        ByteBuffer.wrap(buffer, size, Integer.BYTES).putInt(bytes.length);
        size += Integer.BYTES;
        System.arraycopy(bytes, 0, buffer, size, bytes.length);
        size += bytes.length;
    }

    private void ensure(int more) {
        if (size + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + more));
        }
    }
}
