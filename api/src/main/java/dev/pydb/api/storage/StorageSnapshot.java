package dev.pydb.api.storage;

import java.util.List;

/**
 * A consistent, point-in-time read view of a whole storage ({@link Storage#snapshot()}), for
 * backups: every call sees the storage as it was when the snapshot was taken, while writes go on.
 * Close it promptly: a backend may hold resources (old pages, memory) while it is open.
 */
public interface StorageSnapshot extends AutoCloseable {
    /** The databases at the snapshot's moment, in {@link KeyOrder}. */
    List<String> listDatabases();

    /** As {@link Storage#scan}, at the snapshot's moment. */
    List<Document> scan(String db, String afterKey, int limit);

    /** As {@link Storage#count(String)}, at the snapshot's moment. */
    long count(String db);

    /** The index definitions of the database at the snapshot's moment (empty without indexes). */
    List<IndexSpec> indexes(String db);

    @Override
    void close();
}
