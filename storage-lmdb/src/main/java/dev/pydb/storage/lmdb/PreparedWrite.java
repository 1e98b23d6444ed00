package dev.pydb.storage.lmdb;

import java.nio.ByteBuffer;
import org.lmdbjava.Txn;

/**
 * The writes of a checked task, ready to apply. Checking never writes, so a task that fails its
 * checks leaves the shared group transaction untouched; applying may fail only for storage reasons
 * (a full map, an I/O error), and then the whole group transaction is aborted.
 */
@FunctionalInterface
interface PreparedWrite<T> {
    /** Writes into {@code txn} and returns the task's result. */
    T apply(Txn<ByteBuffer> txn);
}
