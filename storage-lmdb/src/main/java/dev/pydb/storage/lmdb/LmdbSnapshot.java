package dev.pydb.storage.lmdb;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.IndexSpec;
import dev.pydb.api.storage.StorageClosedException;
import dev.pydb.api.storage.StorageSnapshot;
import java.util.List;

/**
 * A point-in-time view of an {@link LmdbStorage} for backups: one LMDB read transaction (a
 * pooled {@link ReadContext}), which sees the last commit before the snapshot was taken, kept
 * until {@link #close()}. Calls are serialized (an LMDB transaction serves one thread at a time);
 * closing the storage closes its snapshots. Values are verified as in every read.
 */
final class LmdbSnapshot implements StorageSnapshot {
    private final LmdbStorage storage;
    private final LmdbTables tables;
    private final ReadContext context;
    private boolean closed;

    LmdbSnapshot(LmdbStorage storage, LmdbTables tables, ReadContext context) {
        this.storage = requireNonNull(storage, "storage is null");
        this.tables = requireNonNull(tables, "tables is null");
        this.context = requireNonNull(context, "context is null");
    }

    @Override
    public synchronized List<String> listDatabases() {
        return storage.readInSnapshot(() -> tables.listDatabases(open()));
    }

    @Override
    public synchronized List<Document> scan(String db, String afterKey, int limit) {
        return storage.readInSnapshot(() -> tables.scan(open(), db, afterKey, limit));
    }

    @Override
    public synchronized long count(String db) {
        return storage.readInSnapshot(() -> tables.count(open(), db));
    }

    /** The lmdb backend has no secondary indexes: empty for a database that exists. */
    @Override
    public synchronized List<IndexSpec> indexes(String db) {
        return storage.readInSnapshot(() -> {
            if (!tables.databaseExists(open(), db)) {
                throw PydbException.dbNotFound(db);
            }
            return List.of();
        });
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            storage.snapshotClosed(this, context);
        }
    }

    private ReadContext open() {
        if (closed) {
            throw new StorageClosedException(LmdbStorage.NAME + " snapshot");
        }
        return context;
    }
}
