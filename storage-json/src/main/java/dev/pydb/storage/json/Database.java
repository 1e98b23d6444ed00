package dev.pydb.storage.json;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.KeyOrder;
import dev.pydb.storage.toolkit.wal.Prepared;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * One open database: its published documents (what readers see, behind a read-write lock, so a
 * reader never sees part of a batch), the changes prepared and not yet durable (pending: seen by
 * the checks of later writes, never by readers), and the sequence numbers of the log it holds.
 *
 * <p>Pending changes live in a concurrent map keyed by document key; a prepare (under the log's
 * sequencer lock) looks there first, then at the published documents. Publishing writes the
 * published map first and removes the pending entry after, only if it is still the same entry, so a
 * prepare never misses a change.
 */
final class Database {
    private final String name;
    private final Path directory;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Documents documents;
    private final ConcurrentHashMap<String, PendingDocument> pending = new ConcurrentHashMap<>();
    /** The last log record applied to the documents; guarded by {@link #lock}. */
    private long appliedSequence;
    /** The log record {@code snapshot.json} holds everything up to; checkpoint thread (or open) only. */
    private volatile long snapshotSequence;
    private boolean dropped;

    Database(String name, Path directory, Documents documents, long snapshotSequence) {
        this.name = requireNonNull(name, "name is null");
        this.directory = requireNonNull(directory, "directory is null");
        this.documents = requireNonNull(documents, "documents is null");
        this.snapshotSequence = snapshotSequence;
        this.appliedSequence = snapshotSequence;
    }

    /** A new database holding nothing, whose snapshot is at {@code sequence}. */
    static Database empty(String name, Path directory, long sequence) {
        return new Database(name, directory, new Documents(name, new TreeMap<>(KeyOrder.COMPARATOR), new HashMap<>()), sequence);
    }

    String name() {
        return name;
    }

    Path directory() {
        return directory;
    }

    long snapshotSequence() {
        return snapshotSequence;
    }

    /** Runs {@code reader} on the published documents; {@code DB_NOT_FOUND} once dropped. */
    <T> T read(Function<Documents, T> reader) {
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

    /** What a write sees under {@code key}: a pending change, else the published document and its damage. */
    record Current(Document document, DocumentDamage damage) {}

    /** The state a prepare checks against (pending changes first). Under the log's sequencer lock. */
    Current current(String key) {
        PendingDocument change = pending.get(key);
        if (change != null) {
            return new Current(change.document(), null);
        }
        lock.readLock().lock();
        try {
            Document document = documents.all().get(key);
            return new Current(document, document == null ? null : documents.damaged().get(key));
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Records a checked batch as pending and returns it for the log: {@code changes} holds each
     * key's new document (null: removed). Under the log's sequencer lock.
     */
    <T> Prepared<T> prepare(long sequence, Map<String, Document> changes, ByteBuffer record, T result) {
        List<PendingDocument> entries = new ArrayList<>(changes.size());
        for (Map.Entry<String, Document> change : changes.entrySet()) {
            PendingDocument entry = new PendingDocument(change.getKey(), change.getValue());
            pending.put(change.getKey(), entry);
            entries.add(entry);
        }
        return new Prepared<>() {
            @Override
            public ByteBuffer payload() {
                return record;
            }

            @Override
            public T publish() {
                apply(sequence, changes);
                forget(entries);
                return result;
            }

            @Override
            public void abort() {
                forget(entries);
            }
        };
    }

    /** Applies a durable batch to the published documents (also used by replay at open). */
    void apply(long sequence, Map<String, Document> changes) {
        lock.writeLock().lock();
        try {
            if (dropped) {
                return;
            }
            for (Map.Entry<String, Document> change : changes.entrySet()) {
                if (change.getValue() == null) {
                    documents.all().remove(change.getKey());
                } else {
                    documents.all().put(change.getKey(), change.getValue());
                }
                documents.damaged().remove(change.getKey());
            }
            appliedSequence = Math.max(appliedSequence, sequence);
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void forget(List<PendingDocument> entries) {
        for (PendingDocument entry : entries) {
            pending.remove(entry.key(), entry);
        }
    }

    /** The published state to write into a snapshot, or null if the snapshot holds it already. */
    record Copy(long appliedSequence, NavigableMap<String, Document> documents, Map<String, DocumentDamage> damaged) {}

    /** A copy of the published state (references only) if it changed since the snapshot, else null. */
    Copy copyIfChanged() {
        lock.readLock().lock();
        try {
            if (dropped || appliedSequence <= snapshotSequence) {
                return null;
            }
            return copy();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** A copy of the published documents for a snapshot of the storage. */
    Documents copyDocuments() {
        lock.readLock().lock();
        try {
            Copy copy = copy();
            return new Documents(name, copy.documents(), copy.damaged());
        } finally {
            lock.readLock().unlock();
        }
    }

    private Copy copy() {
        return new Copy(appliedSequence, new TreeMap<>(documents.all()), Map.copyOf(documents.damaged()));
    }

    /** {@code snapshot.json} now holds everything up to {@code sequence}. Checkpoint thread only. */
    void snapshotWritten(long sequence) {
        snapshotSequence = sequence;
    }

    /** Forgets every document; later reads are {@code DB_NOT_FOUND}. While the log is quiesced. */
    void markDropped() {
        lock.writeLock().lock();
        try {
            dropped = true;
            documents.all().clear();
            documents.damaged().clear();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** A change prepared and not yet durable: the document a key will hold (null: removed). Compared by identity. */
    private static final class PendingDocument {
        private final String key;
        private final Document document;

        PendingDocument(String key, Document document) {
            this.key = key;
            this.document = document;
        }

        String key() {
            return key;
        }

        Document document() {
            return document;
        }
    }
}
