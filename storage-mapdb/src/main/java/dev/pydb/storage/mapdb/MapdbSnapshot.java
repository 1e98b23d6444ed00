package dev.pydb.storage.mapdb;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.IndexSpec;
import dev.pydb.api.storage.StorageSnapshot;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A point-in-time view of a {@link MapdbStorage} for backups. MapDB 3 has one transaction and no
 * snapshots of its own, so the view is copy-on-write: it copies the database list and counts when
 * it is taken, and from then on every write keeps the old value of each key it changes for each
 * open snapshot ({@link MapdbStore.Snapshot}); a scan merges the live map with those old values.
 * Memory: one old value per key changed while the snapshot is open (a dropped database: all of its
 * documents). Close it promptly.
 */
final class MapdbSnapshot implements StorageSnapshot {
    private final MapdbStorage storage;
    private final MapdbStore.Snapshot state;
    private final AtomicBoolean closed = new AtomicBoolean();

    MapdbSnapshot(MapdbStorage storage, MapdbStore.Snapshot state) {
        this.storage = requireNonNull(storage, "storage is null");
        this.state = requireNonNull(state, "state is null");
    }

    @Override
    public List<String> listDatabases() {
        requireOpen();
        return List.copyOf(new java.util.TreeSet<>(state.databases.keySet()));
    }

    @Override
    public List<Document> scan(String db, String afterKey, int limit) {
        requireNonNull(db, "db is null");
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, was " + limit);
        }
        requireDatabase(db);
        return limit == 0 ? List.of() : storage.readSnapshot(store -> store.scan(state, db, afterKey, limit));
    }

    @Override
    public long count(String db) {
        requireNonNull(db, "db is null");
        requireDatabase(db);
        return state.databases.get(db);
    }

    @Override
    public List<IndexSpec> indexes(String db) {
        requireDatabase(db);
        return List.of();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            storage.closeSnapshot(state);
        }
    }

    private void requireDatabase(String db) {
        requireOpen();
        if (!state.databases.containsKey(db)) {
            throw PydbException.dbNotFound(db);
        }
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the snapshot is closed");
        }
    }
}
