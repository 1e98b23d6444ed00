package dev.pydb.engine.plugin;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.SessionStore;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.api.storage.WriteResult;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

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
    public Optional<SessionStore> sessions() {
        return ContextClassLoaderSwap.with(classLoader, delegate::sessions).map(this::sessionsWithLoader);
    }

    @Override
    public void close() {
        ContextClassLoaderSwap.run(classLoader, delegate::close);
    }

    private SessionStore sessionsWithLoader(SessionStore store) {
        return new SessionStore() {
            @Override
            public void put(String tokenDigest, String username, Instant expiresAt) {
                ContextClassLoaderSwap.run(classLoader, () -> store.put(tokenDigest, username, expiresAt));
            }

            @Override
            public Optional<StoredSession> lookup(String tokenDigest, Instant now) {
                return ContextClassLoaderSwap.with(classLoader, () -> store.lookup(tokenDigest, now));
            }

            @Override
            public boolean revoke(String tokenDigest, Instant now) {
                return ContextClassLoaderSwap.with(classLoader, () -> store.revoke(tokenDigest, now));
            }

            @Override
            public long purgeExpired(Instant now) {
                return ContextClassLoaderSwap.with(classLoader, () -> store.purgeExpired(now));
            }

            @Override
            public Optional<LoginFailures> loginFailures(String subject) {
                return ContextClassLoaderSwap.with(classLoader, () -> store.loginFailures(subject));
            }

            @Override
            public LoginFailures updateLoginFailures(String subject, UnaryOperator<LoginFailures> change) {
                return ContextClassLoaderSwap.with(classLoader, () -> store.updateLoginFailures(subject, change));
            }

            @Override
            public void clearLoginFailures(String subject) {
                ContextClassLoaderSwap.run(classLoader, () -> store.clearLoginFailures(subject));
            }
        };
    }

    @Override
    public String toString() {
        return delegate + " (context class loader " + classLoader + ")";
    }
}
