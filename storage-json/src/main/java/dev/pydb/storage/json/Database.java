package dev.pydb.storage.json;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import java.nio.file.Path;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * One open database: all its documents in memory, ordered by {@link dev.pydb.api.storage.KeyOrder},
 * and its log. Readers see whole batches only: the committer publishes a group of batches under
 * the write lock, readers read under the read lock. Only the committer thread changes it.
 */
final class Database {
    private final String name;
    private final Path directory;
    private final DatabaseLog log;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final NavigableMap<String, Document> documents;
    private boolean dropped;

    Database(String name, Path directory, NavigableMap<String, Document> documents, DatabaseLog log) {
        this.name = requireNonNull(name, "name is null");
        this.directory = requireNonNull(directory, "directory is null");
        this.documents = requireNonNull(documents, "documents is null");
        this.log = requireNonNull(log, "log is null");
    }

    String name() {
        return name;
    }

    Path directory() {
        return directory;
    }

    DatabaseLog log() {
        return log;
    }

    /** Runs {@code reader} on a consistent view of the documents; {@code DB_NOT_FOUND} once dropped. */
    <T> T read(Function<NavigableMap<String, Document>, T> reader) {
        lock.readLock().lock();
        try {
            if (dropped) {
                throw PydbException.dbNotFound(name);
            }
            return reader.apply(documents);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The committed document under {@code key}, or null. Committer thread only (it is the only writer). */
    Document committed(String key) {
        return documents.get(key);
    }

    /** All committed documents in key order. Committer thread only. */
    NavigableMap<String, Document> committedDocuments() {
        return documents;
    }

    /** Makes a group of changes visible at once; a null value removes the key. Committer thread only. */
    void publish(Map<String, Document> changes) {
        lock.writeLock().lock();
        try {
            for (Map.Entry<String, Document> change : changes.entrySet()) {
                if (change.getValue() == null) {
                    documents.remove(change.getKey());
                } else {
                    documents.put(change.getKey(), change.getValue());
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Forgets every document; later reads are {@code DB_NOT_FOUND}. Committer thread only. */
    void markDropped() {
        lock.writeLock().lock();
        try {
            dropped = true;
            documents.clear();
        } finally {
            lock.writeLock().unlock();
        }
    }
}
