package dev.pydb.storage.json;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.IndexSpec;
import dev.pydb.api.storage.StorageSnapshot;
import java.util.List;
import java.util.Map;

/**
 * A point-in-time view of a json storage for backups: a copy of every database's document map
 * (references only; the documents are immutable), taken while the log was quiesced, so it holds
 * exactly the writes published before it and none after. Damaged documents answer
 * {@code CORRUPTED} as in the storage. Thread-safe (read only); closing it frees the copies.
 */
final class JsonStorageSnapshot implements StorageSnapshot {
    private final List<String> order;
    private volatile Map<String, Documents> databases;
    private volatile boolean closed;

    /** {@code databases} in {@link dev.pydb.api.storage.KeyOrder}. */
    JsonStorageSnapshot(Map<String, Documents> databases) {
        this.order = List.copyOf(requireNonNull(databases, "databases is null").keySet());
        this.databases = Map.copyOf(databases);
    }

    @Override
    public List<String> listDatabases() {
        open();
        return order;
    }

    @Override
    public List<Document> scan(String db, String afterKey, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, was " + limit);
        }
        return database(db).scan(afterKey, limit);
    }

    @Override
    public long count(String db) {
        return database(db).count();
    }

    @Override
    public List<IndexSpec> indexes(String db) {
        database(db);
        return List.of();
    }

    @Override
    public void close() {
        closed = true;
        databases = Map.of();
    }

    private Documents database(String db) {
        requireNonNull(db, "db is null");
        Documents documents = open().get(db);
        if (documents == null) {
            throw PydbException.dbNotFound(db);
        }
        return documents;
    }

    private Map<String, Documents> open() {
        if (closed) {
            throw new IllegalStateException("the snapshot is closed");
        }
        return databases;
    }
}
