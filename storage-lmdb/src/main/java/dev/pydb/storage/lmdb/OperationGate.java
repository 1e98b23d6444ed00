package dev.pydb.storage.lmdb;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.storage.StorageClosedException;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Lets operations run concurrently until {@link #close()}, which refuses new ones with a
 * {@link StorageClosedException} and waits for the running ones to finish. The storage closes
 * its LMDB environment only after that, so no transaction can touch unmapped memory.
 */
final class OperationGate {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final String storageName;
    private volatile boolean closed;

    OperationGate(String storageName) {
        this.storageName = requireNonNull(storageName, "storageName is null");
    }

    /** Runs {@code operation} unless the gate is closed; {@link #close()} waits for it. */
    <T> T call(Supplier<T> operation) {
        if (closed) {
            // fail fast: while close waits for running operations, the read lock is not granted
            throw new StorageClosedException(storageName);
        }
        Lock running = lock.readLock();
        running.lock();
        try {
            if (closed) {
                throw new StorageClosedException(storageName);
            }
            return operation.get();
        } finally {
            running.unlock();
        }
    }

    /**
     * Refuses new operations and waits until the running ones have finished. Returns false if the
     * gate was already closed. Callers serialize their calls.
     */
    boolean close() {
        if (closed) {
            return false;
        }
        closed = true;
        Lock exclusive = lock.writeLock();
        exclusive.lock();
        exclusive.unlock();
        return true;
    }

    boolean isClosed() {
        return closed;
    }
}
