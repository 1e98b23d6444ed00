package dev.pydb.engine.plugin;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.query.CountResult;
import dev.pydb.api.query.Filter;
import dev.pydb.api.query.FindResult;
import dev.pydb.api.query.Query;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.DocumentImporter;
import dev.pydb.api.storage.Indexes;
import dev.pydb.api.storage.SessionStore;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageSnapshot;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.api.storage.WriteResult;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A {@link Storage} that calls another one with a given class loader (a plugin's) as the thread
 * context class loader around every call, including {@link #close()}. Libraries such as lmdbjava
 * find their native code and resources through the context class loader.
 */
public final class ContextClassLoaderStorage implements Storage {
    private final Storage delegate;
    private final ClassLoader classLoader;

    private ContextClassLoaderStorage(Storage delegate, ClassLoader classLoader) {
        this.delegate = requireNonNull(delegate, "delegate is null");
        this.classLoader = requireNonNull(classLoader, "classLoader is null");
    }

    /** {@code storage}, called with {@code classLoader} as the context class loader. */
    public static Storage wrap(Storage storage, ClassLoader classLoader) {
        return new ContextClassLoaderStorage(storage, classLoader);
    }

    @Override
    public void createDatabase(String db) {
        ContextClassLoaderSwap.run(classLoader, () -> delegate.createDatabase(db));
    }

    @Override
    public void dropDatabase(String db) {
        ContextClassLoaderSwap.run(classLoader, () -> delegate.dropDatabase(db));
    }

    @Override
    public List<String> listDatabases() {
        return ContextClassLoaderSwap.with(classLoader, delegate::listDatabases);
    }

    @Override
    public boolean databaseExists(String db) {
        return ContextClassLoaderSwap.with(classLoader, () -> delegate.databaseExists(db));
    }

    @Override
    public Optional<Document> get(String db, String key) {
        return ContextClassLoaderSwap.with(classLoader, () -> delegate.get(db, key));
    }

    @Override
    public List<Document> scan(String db, String afterKey, int limit) {
        return ContextClassLoaderSwap.with(classLoader, () -> delegate.scan(db, afterKey, limit));
    }

    @Override
    public long count(String db) {
        return ContextClassLoaderSwap.with(classLoader, () -> delegate.count(db));
    }

    @Override
    public List<WriteResult> write(String db, List<WriteOp> ops) {
        return ContextClassLoaderSwap.with(classLoader, () -> delegate.write(db, ops));
    }

    @Override
    public long put(String db, String key, byte[] body, long expectedRev) {
        return ContextClassLoaderSwap.with(classLoader, () -> delegate.put(db, key, body, expectedRev));
    }

    @Override
    public long insert(String db, String key, byte[] body) {
        return ContextClassLoaderSwap.with(classLoader, () -> delegate.insert(db, key, body));
    }

    @Override
    public void delete(String db, String key, long expectedRev) {
        ContextClassLoaderSwap.run(classLoader, () -> delegate.delete(db, key, expectedRev));
    }

    @Override
    public Optional<FindResult> find(String db, Query query) {
        return ContextClassLoaderSwap.with(classLoader, () -> delegate.find(db, query));
    }

    @Override
    public Optional<CountResult> countMatching(String db, Filter filter, boolean explain) {
        return ContextClassLoaderSwap.with(classLoader, () -> delegate.countMatching(db, filter, explain));
    }

    @Override
    public Optional<Indexes> indexes() {
        return capability(Indexes.class, delegate::indexes);
    }

    @Override
    public Optional<StorageSnapshot> snapshot() {
        return capability(StorageSnapshot.class, delegate::snapshot);
    }

    @Override
    public Optional<DocumentImporter> importer() {
        return capability(DocumentImporter.class, delegate::importer);
    }

    @Override
    public boolean readsMayBlock() {
        return ContextClassLoaderSwap.with(classLoader, delegate::readsMayBlock);
    }

    @Override
    public Optional<SessionStore> sessions() {
        return capability(SessionStore.class, delegate::sessions);
    }

    @Override
    public void close() {
        ContextClassLoaderSwap.run(classLoader, delegate::close);
    }

    private <T> Optional<T> capability(Class<T> type, Supplier<Optional<T>> getter) {
        return ContextClassLoaderSwap.with(classLoader, getter)
                .map(target -> ContextClassLoaderProxy.wrap(type, target, classLoader));
    }

    @Override
    public String toString() {
        return delegate + " (context class loader " + classLoader + ")";
    }
}
