package dev.pydb.storage.mapdb;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.Names;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.DocumentImporter;
import dev.pydb.api.storage.StorageSnapshot;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageClosedException;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.api.storage.WriteResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.mapdb.DBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Storage} in one MapDB file. Reads run on the caller's thread under a read lock;
 * writes, database creation and drops go through the {@link GroupCommitter}, which applies
 * concurrent callers' requests under the write lock and makes them durable with one commit.
 * Readers therefore see only committed, whole batches.
 */
public final class MapdbStorage implements Storage {
    private static final Logger log = LoggerFactory.getLogger(MapdbStorage.class);
    private static final String NAME = MapdbStorageProvider.NAME;

    private final Path file;
    private final MapdbStore store;
    private final AutoCloseable lock;
    private final ReentrantReadWriteLock stateLock = new ReentrantReadWriteLock();
    private final GroupCommitter committer;
    private volatile boolean closed;

    MapdbStorage(Path file, MapdbStore store, MapdbOptions options, AutoCloseable lock) {
        this.file = requireNonNull(file, "file is null");
        this.store = requireNonNull(store, "store is null");
        this.lock = requireNonNull(lock, "lock is null");
        requireNonNull(options, "options is null");
        this.committer = new GroupCommitter(NAME, store, stateLock.writeLock(), options.commitMaxBatch());
    }

    @Override
    public void createDatabase(String db) {
        Names.requireDatabaseName(db);
        mutate(() -> {
            if (store.databaseExists(db)) {
                throw PydbException.dbExists(db);
            }
            return () -> {
                store.createDatabase(db);
                return null;
            };
        });
    }

    @Override
    public void dropDatabase(String db) {
        requireNonNull(db, "db is null");
        mutate(() -> {
            if (!store.databaseExists(db)) {
                throw PydbException.dbNotFound(db);
            }
            return () -> {
                store.dropDatabase(db);
                return null;
            };
        });
    }

    @Override
    public List<String> listDatabases() {
        return read(store::listDatabases);
    }

    @Override
    public boolean databaseExists(String db) {
        requireNonNull(db, "db is null");
        return read(() -> store.databaseExists(db));
    }

    @Override
    public Optional<Document> get(String db, String key) {
        requireNonNull(db, "db is null");
        requireNonNull(key, "key is null");
        return read(() -> {
            requireDatabase(db);
            return store.get(db, key);
        });
    }

    @Override
    public List<Document> scan(String db, String afterKey, int limit) {
        requireNonNull(db, "db is null");
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, was " + limit);
        }
        return read(() -> {
            requireDatabase(db);
            return limit == 0 ? List.of() : store.scan(db, afterKey, limit);
        });
    }

    @Override
    public long count(String db) {
        requireNonNull(db, "db is null");
        return read(() -> {
            long count = store.count(db);
            if (count < 0) {
                throw PydbException.dbNotFound(db);
            }
            return count;
        });
    }

    @Override
    public List<WriteResult> write(String db, List<WriteOp> ops) {
        return mutate(new WriteBatch(store, db, ops));
    }

    /** A point-in-time view for backups ({@link MapdbSnapshot}: copy-on-write while it is open). */
    @Override
    public Optional<StorageSnapshot> snapshot() {
        return Optional.of(read(() -> new MapdbSnapshot(this, store.openSnapshot())));
    }

    /** Loads documents with their revisions into an existing database, one group commit per call. */
    @Override
    public Optional<DocumentImporter> importer() {
        return Optional.of((db, documents) -> mutate(new DocumentImport(store, db, documents)));
    }

    /** Runs a snapshot's read under the read lock. */
    <R> R readSnapshot(Function<MapdbStore, R> reader) {
        return read(() -> reader.apply(store));
    }

    void closeSnapshot(MapdbStore.Snapshot snapshot) {
        stateLock.writeLock().lock();
        try {
            store.closeSnapshot(snapshot);
        } finally {
            stateLock.writeLock().unlock();
        }
    }

    /** How many commits this storage has made since it was opened (each one an fsync). */
    public long commits() {
        return committer.commits();
    }

    /**
     * Commits the queued writes, stops the committer and closes the file. Idempotent; every other
     * call afterwards throws {@link StorageClosedException}.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        committer.close();
        stateLock.writeLock().lock();
        try {
            store.close();
            log.info("closed MapDB storage {} after {} commits", file, committer.commits());
        } finally {
            stateLock.writeLock().unlock();
            releaseLock();
        }
    }

    private void releaseLock() {
        try {
            lock.close();
        } catch (Exception e) {
            log.warn("cannot release the lock of {}", file, e);
        }
    }

    private void requireDatabase(String db) {
        if (!store.databaseExists(db)) {
            throw PydbException.dbNotFound(db);
        }
    }

    private <R> R mutate(Mutation<R> mutation) {
        if (closed) {
            throw new StorageClosedException(NAME);
        }
        return committer.execute(mutation);
    }

    private <R> R read(Supplier<R> reader) {
        stateLock.readLock().lock();
        try {
            if (closed) {
                throw new StorageClosedException(NAME);
            }
            store.requireUsable();
            return reader.get();
        } catch (DBException e) {
            log.error("reading MapDB storage {} failed", file, e);
            throw new PydbException(ErrorCode.UNAVAILABLE, "storage '" + NAME + "' failed to read: " + e.getClass().getSimpleName(), e);
        } finally {
            stateLock.readLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "MapdbStorage[" + file + "]";
    }
}
