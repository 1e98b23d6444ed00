package dev.pydb.storage.lmdb;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.Names;
import java.nio.ByteBuffer;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;

/**
 * A read-only transaction that is reset after each read and renewed for the next, with one
 * direct buffer for the record keys looked up in it, so a read allocates neither a transaction
 * nor a key buffer. Used by one thread at a time (lent out by {@link ReadContextPool}); keys put
 * in the buffer stay valid until the next key is put.
 */
final class ReadContext {
    /** The longest record key: a 64-character database name, the separator and a key of 255 bytes. */
    static final int KEY_CAPACITY = 64 + 1 + Names.MAX_KEY_BYTES;

    private final Txn<ByteBuffer> txn;
    private final ByteBuffer key = ByteBuffer.allocateDirect(KEY_CAPACITY);
    private boolean isReset;

    private ReadContext(Txn<ByteBuffer> txn) {
        this.txn = requireNonNull(txn, "txn is null");
    }

    /** A context with a new read-only transaction, ready to read. */
    static ReadContext open(Env<ByteBuffer> env) {
        return new ReadContext(env.txnRead());
    }

    Txn<ByteBuffer> txn() {
        return txn;
    }

    /** The key buffer holding exactly {@code bytes}. */
    ByteBuffer key(byte[] bytes) {
        return key(bytes, bytes.length);
    }

    /** The key buffer holding the first {@code length} bytes of {@code bytes}. */
    ByteBuffer key(byte[] bytes, int length) {
        key.clear();
        key.put(bytes, 0, length).flip();
        return key;
    }

    /** The key buffer holding {@code prefix} followed by the first {@code length} bytes of {@code suffix}. */
    ByteBuffer key(byte[] prefix, byte[] suffix, int length) {
        key.clear();
        key.put(prefix).put(suffix, 0, length).flip();
        return key;
    }

    /** Ends the read: releases the snapshot, keeps the transaction (and its reader slot) for {@link #renew()}. */
    void reset() {
        txn.reset();
        isReset = true;
    }

    /** Starts a read on the latest committed data. */
    void renew() {
        txn.renew();
        isReset = false;
    }

    /** Frees the transaction and its reader slot; the context is not used again. */
    void close() {
        // lmdbjava frees the native transaction only when closing a renewed one (mdb_txn_abort)
        if (isReset) {
            renew();
        }
        txn.close();
    }
}
