package dev.pydb.engine.fakes;

import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.api.storage.WriteResult;
import dev.pydb.storage.tck.memory.ForwardingStorage;
import dev.pydb.storage.tck.memory.InMemoryStorage;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** A storage that counts the {@code write} and {@code scan} calls it forwards (to the kit's {@link InMemoryStorage} by default). */
public final class CountingStorage extends ForwardingStorage {
    private final AtomicInteger writeCalls = new AtomicInteger();
    private final AtomicInteger scanCalls = new AtomicInteger();

    public CountingStorage() {
        this(new InMemoryStorage());
    }

    public CountingStorage(Storage delegate) {
        super(delegate);
    }

    @Override
    public List<WriteResult> write(String db, List<WriteOp> ops) {
        writeCalls.incrementAndGet();
        return super.write(db, ops);
    }

    @Override
    public List<Document> scan(String db, String afterKey, int limit) {
        scanCalls.incrementAndGet();
        return super.scan(db, afterKey, limit);
    }

    /** How many times {@link #write} was called (each {@code put}, {@code insert} and {@code delete} is one). */
    public int writeCalls() {
        return writeCalls.get();
    }

    /** How many times {@link #scan} was called. */
    public int scanCalls() {
        return scanCalls.get();
    }
}
