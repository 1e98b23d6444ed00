package dev.pydb.storage.tck.memory;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.KeyOrder;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageClosedException;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.api.storage.WriteResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The storage to test action plugins against: a thread-safe in-memory {@link Storage} that honours
 * the whole contract except durability (its data lives as long as the object). Revisions,
 * compare-and-set, atomic batches whose failing operation carries {@code index},
 * {@link WriteOp.Update}, {@link KeyOrder} and {@link StorageClosedException} after
 * {@link #close()} behave as in every persistent backend; the kit's compliance suite proves it.
 *
 * <p>Bodies are copied on the way in and out, as a backend that serializes them would, so a test
 * cannot change stored documents through an array it handed over or got back. Readers share a
 * read lock; a write, a database change or {@code close} takes the write lock, so readers never
 * see half a batch. {@link WriteOp.Update} functions run under that lock and must not call back
 * into the storage to change it (that
 * throws {@link IllegalStateException}).
 *
 * <pre>{@code
 * Storage storage = InMemoryStorage.withDatabases("shop");
 * storage.put("shop", "c", "{\"hits\":1}".getBytes(UTF_8), Storage.ANY_REVISION);
 * }</pre>
 */
public final class InMemoryStorage implements Storage {
    private final String name;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final NavigableMap<String, NavigableMap<String, Document>> databases = new TreeMap<>(KeyOrder.COMPARATOR);
    private boolean closed;

    /** An empty storage named {@code "memory"} (the name appears in {@link StorageClosedException}). */
    public InMemoryStorage() {
        this(InMemoryStorageProvider.DEFAULT_NAME);
    }

    /** An empty storage with this name (the name appears in {@link StorageClosedException}). */
    public InMemoryStorage(String name) {
        this.name = requireNonNull(name, "name is null");
    }

    /** A storage named {@code "memory"} in which these (empty) databases exist. */
    public static InMemoryStorage withDatabases(String... databases) {
        InMemoryStorage storage = new InMemoryStorage();
        for (String db : databases) {
            storage.createDatabase(db);
        }
        return storage;
    }

    @Override
    public void createDatabase(String db) {
        requireNonNull(db, "db is null");
        lockForChange();
        try {
            ensureOpen();
            if (databases.containsKey(db)) {
                throw PydbException.dbExists(db);
            }
            databases.put(db, new TreeMap<>(KeyOrder.COMPARATOR));
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public void dropDatabase(String db) {
        requireNonNull(db, "db is null");
        lockForChange();
        try {
            ensureOpen();
            if (databases.remove(db) == null) {
                throw PydbException.dbNotFound(db);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public List<String> listDatabases() {
        lock.readLock().lock();
        try {
            ensureOpen();
            return List.copyOf(databases.keySet());
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public boolean databaseExists(String db) {
        requireNonNull(db, "db is null");
        lock.readLock().lock();
        try {
            ensureOpen();
            return databases.containsKey(db);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public Optional<Document> get(String db, String key) {
        requireNonNull(key, "key is null");
        lock.readLock().lock();
        try {
            return Optional.ofNullable(database(db).get(key)).map(InMemoryStorage::copy);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public List<Document> scan(String db, String afterKey, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, was " + limit);
        }
        lock.readLock().lock();
        try {
            NavigableMap<String, Document> documents = database(db);
            NavigableMap<String, Document> tail = afterKey == null ? documents : documents.tailMap(afterKey, false);
            List<Document> page = new ArrayList<>(Math.min(limit, tail.size()));
            for (Document document : tail.values()) {
                if (page.size() == limit) {
                    break;
                }
                page.add(copy(document));
            }
            return List.copyOf(page);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public long count(String db) {
        lock.readLock().lock();
        try {
            return database(db).size();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public List<WriteResult> write(String db, List<WriteOp> ops) {
        requireNonNull(ops, "ops is null");
        lockForChange();
        try {
            NavigableMap<String, Document> documents = database(db);
            Map<String, Document> staged = new HashMap<>();
            List<WriteResult> results = new ArrayList<>(ops.size());
            for (int index = 0; index < ops.size(); index++) {
                WriteOp op = requireNonNull(ops.get(index), "op is null");
                try {
                    String key = op.key();
                    Document next = apply(db, op, staged.containsKey(key) ? staged.get(key) : documents.get(key));
                    staged.put(key, next);
                    results.add(next == null ? WriteResult.deleted(key) : WriteResult.written(key, next.rev()));
                } catch (PydbException e) {
                    throw e.withDetail("index", index);
                }
            }
            staged.forEach((key, document) -> {
                if (document == null) {
                    documents.remove(key);
                } else {
                    documents.put(key, document);
                }
            });
            return List.copyOf(results);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        lock.readLock().lock();
        try {
            return closed;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Forgets every database; idempotent. Any later call but this and {@link #isClosed()} throws {@link StorageClosedException}. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            closed = true;
            databases.clear();
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "InMemoryStorage[" + name + (isClosed() ? ", closed]" : "]");
    }

    /** The document after {@code op}, or null if it deletes it; {@code current} is null if absent. */
    private static Document apply(String db, WriteOp op, Document current) {
        String key = op.key();
        return switch (op) {
            case WriteOp.Insert insert -> {
                if (current != null) {
                    throw PydbException.keyExists(db, key);
                }
                yield new Document(key, 1, insert.body().clone());
            }
            case WriteOp.Put put -> {
                checkRevision(db, key, current, put.expectedRev());
                yield new Document(key, current == null ? 1 : current.rev() + 1, put.body().clone());
            }
            case WriteOp.Update update -> {
                if (current == null) {
                    throw PydbException.notFound(db, key);
                }
                checkRevision(db, key, current, update.expectedRev());
                byte[] changed = requireNonNull(update.change().apply(current.body().clone()), "the update function returned null");
                yield new Document(key, current.rev() + 1, changed.clone());
            }
            case WriteOp.Delete delete -> {
                if (current == null) {
                    throw PydbException.notFound(db, key);
                }
                checkRevision(db, key, current, delete.expectedRev());
                yield null;
            }
        };
    }

    private static void checkRevision(String db, String key, Document current, long expectedRev) {
        if (expectedRev == ANY_REVISION) {
            return;
        }
        if (current == null) {
            if (expectedRev != 0) {
                throw new PydbException(ErrorCode.CONFLICT, "key '" + key + "' in '" + db + "' does not exist, not at rev "
                        + expectedRev);
            }
        } else if (current.rev() != expectedRev) {
            throw PydbException.conflict(db, key, expectedRev, current.rev());
        }
    }

    private static Document copy(Document document) {
        return new Document(document.key(), document.rev(), document.body().clone());
    }

    /** The documents of {@code db}; the caller holds the read or the write lock. */
    private NavigableMap<String, Document> database(String db) {
        requireNonNull(db, "db is null");
        ensureOpen();
        NavigableMap<String, Document> documents = databases.get(db);
        if (documents == null) {
            throw PydbException.dbNotFound(db);
        }
        return documents;
    }

    /** Takes the write lock, refusing a change from inside an update function (which holds it already). */
    private void lockForChange() {
        if (lock.isWriteLockedByCurrentThread()) {
            throw new IllegalStateException("an update function must not change the storage it runs in");
        }
        lock.writeLock().lock();
    }

    private void ensureOpen() {
        if (closed) {
            throw new StorageClosedException(name);
        }
    }
}
