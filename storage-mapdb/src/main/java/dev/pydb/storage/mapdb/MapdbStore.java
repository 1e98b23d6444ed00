package dev.pydb.storage.mapdb;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import org.mapdb.Atomic;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data of one MapDB file: a {@code databases} map (name to document count) and one
 * {@code documents} map whose keys are laid out by {@link KeyCodec} and whose values are
 * {@link StoredValue}s. It does no locking and no validation of its own:
 * {@link MapdbStorage} serialises access and {@link WriteBatch} validates writes.
 *
 * <p>Durability: each change is applied to MapDB's open transaction and recorded as an
 * {@link Operations} entry; {@link #commit()} (one group commit) appends them as one record to the
 * {@link OperationLog} and syncs it. MapDB itself commits only at a checkpoint, which stores the
 * last record's sequence number with the data and then empties the log; opening replays the
 * records after it.
 */
final class MapdbStore implements Transaction {
    /** Bumped when the layout changes; a file with another version is refused. */
    static final int FORMAT_VERSION = 2;
    private static final Logger LOGGER = LoggerFactory.getLogger(MapdbStore.class);

    private final DB db;
    private final Runnable discardPendingWrites;
    private final BTreeMap<String, Long> databases;
    private final BTreeMap<byte[], byte[]> documents;
    private final Atomic.Long checkpointSequence;
    private final OperationLog log;
    private final Checkpoints checkpoints;
    private final String fileName;
    /** What was applied since the last group commit; logged by {@link #commit()}. */
    private final Operations pending = new Operations();
    private final Operations.Target maps = new Maps();
    /** Sequence number of the last record appended to the log. */
    private long lastSequence;
    /** Operations logged since the last checkpoint. */
    private long operationsSinceCheckpoint;

    private MapdbStore(DB db, Runnable discardPendingWrites, BTreeMap<String, Long> databases,
            BTreeMap<byte[], byte[]> documents, Atomic.Long checkpointSequence, OperationLog log,
            Checkpoints checkpoints, String fileName) {
        this.db = db;
        this.discardPendingWrites = discardPendingWrites;
        this.databases = databases;
        this.documents = documents;
        this.checkpointSequence = checkpointSequence;
        this.log = log;
        this.checkpoints = checkpoints;
        this.fileName = fileName;
        this.lastSequence = checkpointSequence.get();
    }

    /**
     * Opens (creating if new) the maps of {@code db}, replays the records of {@code log} after the
     * last checkpoint and checkpoints them; {@code UNAVAILABLE} for a foreign format or a damaged
     * log. {@code discardPendingWrites} drops the store-file writes of a failed MapDB commit
     * ({@link RedoLogVolume#discardPending()}) before a rollback.
     */
    static MapdbStore open(DB db, String fileName, Runnable discardPendingWrites, OperationLog log,
            Checkpoints checkpoints) {
        requireNonNull(db, "db is null");
        requireNonNull(discardPendingWrites, "discardPendingWrites is null");
        requireNonNull(log, "log is null");
        requireNonNull(checkpoints, "checkpoints is null");
        var format = db.atomicInteger("pydb.format").createOrOpen();
        int version = format.get();
        if (version == 0 || version == 1) {
            // version 1 (no operation log) is upgraded in place: its files hold all its data
            format.set(FORMAT_VERSION);
        } else if (version != FORMAT_VERSION) {
            throw new PydbException(ErrorCode.UNAVAILABLE, fileName + ": store format version " + version
                    + " is not supported (this version reads " + FORMAT_VERSION + ")");
        }
        BTreeMap<String, Long> databases = db.treeMap("pydb.databases", Serializer.STRING, Serializer.LONG).createOrOpen();
        BTreeMap<byte[], byte[]> documents = db.treeMap("pydb.documents", Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY)
                .valuesOutsideNodesEnable()
                .createOrOpen();
        Atomic.Long checkpointSequence = db.atomicLong("pydb.checkpoint_sequence").createOrOpen();
        db.commit();
        MapdbStore store = new MapdbStore(db, discardPendingWrites, databases, documents, checkpointSequence, log,
                checkpoints, fileName);
        store.recover();
        return store;
    }

    /** Replays the logged groups after the checkpoint into MapDB and checkpoints them. */
    private void recover() {
        int replayed = replayLog(Long.MAX_VALUE);
        if (replayed > 0) {
            LOGGER.warn("{}: not closed cleanly; replayed {} operations from the operation log {}", fileName, replayed,
                    log.path().getFileName());
        }
        checkpoint();
    }

    /**
     * Applies every logged record after the checkpoint, within the first {@code limit} bytes of
     * the log, to the maps; returns the operations applied.
     */
    private int replayLog(long limit) {
        List<OperationLog.Entry> entries;
        try {
            entries = log.readAll(limit);
            log.truncateToSynced();
        } catch (IOException e) {
            throw new PydbException(ErrorCode.UNAVAILABLE, fileName + ": cannot read the operation log " + log.path() + ": " + e, e);
        }
        long checkpointed = checkpointSequence.get();
        int replayed = 0;
        lastSequence = checkpointed;
        for (OperationLog.Entry entry : entries) {
            if (entry.sequence() <= checkpointed) {
                continue;
            }
            if (entry.sequence() != lastSequence + 1) {
                throw new PydbException(ErrorCode.UNAVAILABLE, fileName + ": the operation log " + log.path()
                        + " skips from record " + lastSequence + " to " + entry.sequence());
            }
            int operations = Operations.replay(entry.payload(), maps);
            replayed += operations;
            operationsSinceCheckpoint += operations;
            lastSequence = entry.sequence();
        }
        return replayed;
    }

    boolean databaseExists(String name) {
        return databases.containsKey(name);
    }

    List<String> listDatabases() {
        return List.copyOf(databases.keySet());
    }

    /** The document count of a database, or -1 if it does not exist. */
    long count(String name) {
        Long count = databases.get(name);
        return count == null ? -1 : count;
    }

    /** The stored value ({@link StoredValue}) of a key, or null. */
    byte[] rawGet(String name, String key) {
        return documents.get(KeyCodec.encode(name, key));
    }

    Optional<Document> get(String name, String key) {
        byte[] stored = rawGet(name, key);
        return stored == null ? Optional.empty() : Optional.of(StoredValue.decode(key, stored));
    }

    List<Document> scan(String name, String afterKey, int limit) {
        byte[] from = afterKey == null ? KeyCodec.lowerBound(name) : KeyCodec.encode(name, afterKey);
        NavigableMap<byte[], byte[]> range = documents.subMap(from, afterKey == null, KeyCodec.upperBound(name), false);
        List<Document> result = new ArrayList<>(Math.min(limit, 1024));
        for (Map.Entry<byte[], byte[]> entry : range.entrySet()) {
            if (result.size() >= limit) {
                break;
            }
            result.add(StoredValue.decode(KeyCodec.decodeKey(name, entry.getKey()), entry.getValue()));
        }
        return List.copyOf(result);
    }

    void createDatabase(String name) {
        databases.put(name, 0L);
        pending.setCount(name, 0);
    }

    void dropDatabase(String name) {
        maps.dropDatabase(name);
        pending.dropDatabase(name);
    }

    void rawPut(String name, String key, byte[] stored) {
        byte[] storedKey = KeyCodec.encode(name, key);
        documents.put(storedKey, stored);
        pending.putDocument(storedKey, stored);
    }

    void rawRemove(String name, String key) {
        byte[] storedKey = KeyCodec.encode(name, key);
        documents.remove(storedKey);
        pending.removeDocument(storedKey);
    }

    void setCount(String name, long count) {
        databases.put(name, count);
        pending.setCount(name, count);
    }

    /**
     * Makes the operations applied since the last commit durable: one record appended to the
     * operation log and synced. Checkpoints MapDB when one is due; a failed checkpoint is logged
     * and retried later (the operation log still holds everything).
     */
    @Override
    public void commit() {
        if (pending.isEmpty()) {
            return;
        }
        try {
            log.append(lastSequence + 1, pending.encoded());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the operation log " + log.path(), e);
        }
        lastSequence++;
        operationsSinceCheckpoint += pending.count();
        pending.clear();
        if (checkpoints.due(operationsSinceCheckpoint, log.length())) {
            try {
                checkpoint();
            } catch (RuntimeException e) {
                LOGGER.error("{}: checkpoint failed; the operation log keeps the writes, retrying at the next commit",
                        fileName, e);
                rollback();
            }
        }
    }

    /**
     * Discards the operations applied since the last commit: MapDB goes back to the last
     * checkpoint and the operation log's records are replayed onto it.
     */
    @Override
    public void rollback() {
        pending.clear();
        discardPendingWrites.run();
        db.rollback();
        operationsSinceCheckpoint = 0;
        replayLog(log.length());
    }

    /**
     * Commits MapDB (crash-atomic through the redo log) with the sequence number of the last
     * logged record, then empties the operation log.
     */
    private void checkpoint() {
        long start = System.nanoTime();
        checkpointSequence.set(lastSequence);
        db.commit();
        LOGGER.debug("{}: checkpoint of {} operations up to record {} took {} ms", fileName, operationsSinceCheckpoint,
                lastSequence, (System.nanoTime() - start) / 1_000_000);
        try {
            log.reset();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot empty the operation log " + log.path(), e);
        }
        operationsSinceCheckpoint = 0;
    }

    /** Checkpoints what is logged, then closes MapDB and the log. */
    void close() {
        try {
            if (pending.isEmpty()) {
                checkpoint();
            } else {
                LOGGER.warn("{}: closing with {} uncommitted operations; discarding them", fileName, pending.count());
            }
        } finally {
            try {
                db.close();
            } finally {
                try {
                    log.close();
                } catch (IOException e) {
                    LOGGER.warn("{}: cannot close the operation log", fileName, e);
                }
            }
        }
    }

    /** The maps themselves, for replay and drops: changes not recorded as pending operations. */
    private final class Maps implements Operations.Target {
        @Override
        public void putDocument(byte[] storedKey, byte[] value) {
            documents.put(storedKey, value);
        }

        @Override
        public void removeDocument(byte[] storedKey) {
            documents.remove(storedKey);
        }

        @Override
        public void setCount(String db, long count) {
            databases.put(db, count);
        }

        @Override
        public void dropDatabase(String db) {
            documents.subMap(KeyCodec.lowerBound(db), true, KeyCodec.upperBound(db), false).clear();
            databases.remove(db);
        }
    }
}
