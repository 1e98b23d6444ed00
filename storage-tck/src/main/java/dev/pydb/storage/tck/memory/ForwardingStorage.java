package dev.pydb.storage.tck.memory;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.api.storage.WriteResult;
import java.util.List;
import java.util.Optional;

/**
 * A {@link Storage} that forwards every call to another one: the base of test decorators that
 * count calls or slip a concurrent write in before one (override only what you watch). Only the
 * abstract methods are forwarded; {@code put}, {@code insert}, {@code delete} and
 * {@code databaseExists} keep their defaults, so every write goes through this class's
 * {@link #write} and every existence check through its {@link #listDatabases}.
 */
public abstract class ForwardingStorage implements Storage {
    private final Storage delegate;

    protected ForwardingStorage(Storage delegate) {
        this.delegate = requireNonNull(delegate, "delegate is null");
    }

    /** The storage calls are forwarded to. */
    protected final Storage delegate() {
        return delegate;
    }

    @Override
    public void createDatabase(String db) {
        delegate.createDatabase(db);
    }

    @Override
    public void dropDatabase(String db) {
        delegate.dropDatabase(db);
    }

    @Override
    public List<String> listDatabases() {
        return delegate.listDatabases();
    }

    @Override
    public Optional<Document> get(String db, String key) {
        return delegate.get(db, key);
    }

    @Override
    public List<Document> scan(String db, String afterKey, int limit) {
        return delegate.scan(db, afterKey, limit);
    }

    @Override
    public long count(String db) {
        return delegate.count(db);
    }

    @Override
    public List<WriteResult> write(String db, List<WriteOp> ops) {
        return delegate.write(db, ops);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
