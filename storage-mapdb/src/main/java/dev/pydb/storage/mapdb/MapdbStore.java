package dev.pydb.storage.mapdb;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.storage.toolkit.codec.StoredValueCodec;
import dev.pydb.storage.toolkit.file.DiskFailures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.mapdb.Atomic;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data of one MapDB file: a {@code databases} map (name to document count) and one
 * {@code documents} map whose keys are laid out by {@link KeyCodec} and whose values are
 * checksummed format-2 values ({@link StoredValueCodec}, the record key being the stored key). It
 * does no locking and no validation of its own: {@link MapdbStorage} serialises access and
 * {@link WriteBatch} validates writes.
 *
 * <p>Durability: each change is applied to MapDB's open transaction (whose write-ahead log is in
 * memory, {@link RedoLogVolumeFactory}) and recorded as an {@link Operations} entry;
 * {@link #commit()} (one group commit) appends them as one record to the {@link OperationLog} and
 * syncs it. MapDB itself commits only at a checkpoint, which stores the last record's sequence
 * number with the data and then empties the log; opening replays the records after it.
 *
 * <p>Faults: a failed append is cut back and answered {@code LIMIT_EXCEEDED} (no space: the next
 * group is tried normally) or {@code UNAVAILABLE} (a failed fsync: writes are refused until a
 * restart). A failed checkpoint loses nothing (the log holds every record); in both cases MapDB's
 * open transaction is thrown away by reopening the store file, which a failed MapDB commit never
 * changed (the redo log), and replaying the log onto it ({@link #rollback()}).
 */
final class MapdbStore implements Transaction {
    /** Bumped when the layout changes: 3 = checksummed values. 1 and 2 are upgraded in place; others are refused. */
    static final int FORMAT_VERSION = 3;
    /** How long after a failed checkpoint the next one is tried. */
    private static final long CHECKPOINT_RETRY_NANOS = 1_000_000_000L;
    /** Documents rewritten per MapDB commit while upgrading a format-1 or -2 store. */
    private static final int UPGRADE_CHUNK = 10_000;
    private static final Logger LOGGER = LoggerFactory.getLogger(MapdbStore.class);
    private static final String WHO = MapdbStorageProvider.NAME + " storage";
    /** Marks a key that a snapshot's moment did not have. */
    private static final byte[] ABSENT = new byte[0];

    /** Opens the MapDB file (after the redo log's recovery): at open, and again to throw a failed transaction away. */
    interface Opener {
        OpenedDb open();
    }

    /** An open MapDB and the hook that drops the store-file writes of a failed commit. */
    record OpenedDb(DB db, Runnable discardPendingWrites) {}

    private final Opener opener;
    private final Path file;
    private final String fileName;
    private final OperationLog log;
    private final Checkpoints checkpoints;
    private DB db;
    private Runnable discardPendingWrites;
    private BTreeMap<String, Long> databases;
    private BTreeMap<byte[], byte[]> documents;
    private Atomic.Long checkpointSequence;
    /** What was applied since the last group commit; logged by {@link #commit()}. */
    private final Operations pending = new Operations();
    private final Operations.Target maps = new Maps();
    /** The open snapshots: the values their moment had, of the keys changed since. */
    private final List<Snapshot> snapshots = new CopyOnWriteArrayList<>();
    /** Sequence number of the last record appended to the log. */
    private long lastSequence;
    /** Operations logged since the last checkpoint. */
    private long operationsSinceCheckpoint;
    private long checkpointNotBefore;
    /** Set after a failed fsync: every write is refused with it until a restart. */
    private volatile PydbException writesRefused;
    /** Set when the store could not be reopened after a failure: everything is refused with it. */
    private volatile PydbException failed;
    private boolean diskFull;

    private MapdbStore(Opener opener, Path file, OperationLog log, Checkpoints checkpoints) {
        this.opener = opener;
        this.file = file;
        this.fileName = file.toString();
        this.log = log;
        this.checkpoints = checkpoints;
    }

    /**
     * Opens (creating if new) the maps, replays the records of {@code log} after the last
     * checkpoint (strictly: a damaged record that is not the last refuses the start), upgrades a
     * format-1 or -2 store to checksummed values, and checkpoints; {@code UNAVAILABLE} for a
     * foreign format or a damaged log.
     */
    static MapdbStore open(Opener opener, Path file, OperationLog log, Checkpoints checkpoints) {
        requireNonNull(opener, "opener is null");
        requireNonNull(file, "file is null");
        requireNonNull(log, "log is null");
        requireNonNull(checkpoints, "checkpoints is null");
        MapdbStore store = new MapdbStore(opener, file, log, checkpoints);
        OpenedDb opened = opener.open();
        try {
            int version = store.attach(opened);
            store.recover(version);
        } catch (RuntimeException e) {
            closeQuietly(store.db);
            throw e;
        }
        return store;
    }

    /** Takes the maps of a newly opened MapDB; returns the format version the file had. */
    private int attach(OpenedDb opened) {
        db = opened.db();
        discardPendingWrites = opened.discardPendingWrites();
        var format = db.atomicInteger("pydb.format").createOrOpen();
        int version = format.get();
        if (version < 0 || version > FORMAT_VERSION) {
            throw new PydbException(ErrorCode.UNAVAILABLE, fileName + ": store format version " + version
                    + " is not supported (this version reads 1 to " + FORMAT_VERSION + ")");
        }
        databases = db.treeMap("pydb.databases", Serializer.STRING, Serializer.LONG).createOrOpen();
        documents = db.treeMap("pydb.documents", Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY)
                .valuesOutsideNodesEnable()
                .createOrOpen();
        checkpointSequence = db.atomicLong("pydb.checkpoint_sequence").createOrOpen();
        lastSequence = checkpointSequence.get();
        return version;
    }

    /** Replays the logged groups after the checkpoint into MapDB, upgrades old values, and checkpoints. */
    private void recover(int version) {
        List<OperationLog.Entry> entries;
        try {
            entries = log.recover();
        } catch (IOException e) {
            throw new PydbException(ErrorCode.UNAVAILABLE, fileName + ": cannot read the operation log " + log.path() + ": " + e, e);
        }
        int replayed = replay(entries);
        if (replayed > 0) {
            LOGGER.warn("{}: not closed cleanly; replayed {} operations from the operation log {}", fileName, replayed,
                    log.path().getFileName());
        }
        if (version == 0) {
            db.atomicInteger("pydb.format").createOrOpen().set(FORMAT_VERSION);
        } else if (version < FORMAT_VERSION) {
            upgradeValues(version);
        }
        try {
            checkpoint();
        } catch (RuntimeException e) {
            if (!DiskFailures.isNoSpace(e)) {
                throw e;
            }
            LOGGER.warn("{}: disk full: cannot checkpoint at open ({}); the operation log keeps the writes, retrying later",
                    fileName, DiskFailures.describe(e));
            reopenAndReplay();
        }
    }

    /**
     * Rewrites every value still in format 1 (revision, body) as a checksummed format-2 value, in
     * MapDB commits of {@value #UPGRADE_CHUNK} documents, then sets the format version. A value's
     * first byte tells the formats apart ({@code 0xD2}; a format-1 value begins with its revision's
     * high byte, 0), so an upgrade a crash interrupted resumes where it stopped.
     */
    private void upgradeValues(int version) {
        long start = System.nanoTime();
        LOGGER.info("{}: upgrading the store from format {} to {} (checksummed values)", fileName, version, FORMAT_VERSION);
        long rewritten = 0;
        long malformed = 0;
        byte[] after = null;
        while (true) {
            NavigableMap<byte[], byte[]> range = after == null ? documents : documents.tailMap(after, false);
            List<Map.Entry<byte[], byte[]>> chunk = new ArrayList<>(UPGRADE_CHUNK);
            for (Map.Entry<byte[], byte[]> entry : range.entrySet()) {
                chunk.add(Map.entry(entry.getKey(), entry.getValue()));
                if (chunk.size() == UPGRADE_CHUNK) {
                    break;
                }
            }
            if (chunk.isEmpty()) {
                break;
            }
            for (Map.Entry<byte[], byte[]> entry : chunk) {
                if (StoredValueCodec.isFormat2(entry.getValue())) {
                    continue;
                }
                try {
                    StoredValueCodec.Decoded old = StoredValueCodec.decodeFormat1(entry.getValue());
                    documents.put(entry.getKey(), StoredValueCodec.encode(entry.getKey(), old.rev(), old.body()));
                    rewritten++;
                } catch (StoredValueCodec.CorruptValueException e) {
                    malformed++;
                    LOGGER.warn("{}: upgrade: the old value of stored key {} is malformed ({}); left as it is (reads of it"
                            + " answer CORRUPTED)", fileName, Arrays.toString(entry.getKey()), e.getMessage());
                }
            }
            after = chunk.get(chunk.size() - 1).getKey();
            checkpointSequence.set(lastSequence);
            db.commit();
        }
        db.atomicInteger("pydb.format").createOrOpen().set(FORMAT_VERSION);
        LOGGER.info("{}: upgraded to format {} in {} ms: {} documents rewritten, {} malformed left as they were", fileName,
                FORMAT_VERSION, (System.nanoTime() - start) / 1_000_000, rewritten, malformed);
    }

    /** Applies the records after the checkpoint to the maps; returns the operations applied. */
    private int replay(List<OperationLog.Entry> entries) {
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

    /** {@code UNAVAILABLE} if the store could not be reopened after a failure. */
    void requireUsable() {
        PydbException e = failed;
        if (e != null) {
            throw new PydbException(e.code(), e.getMessage(), e);
        }
    }

    @Override
    public void checkWritable() {
        requireUsable();
        PydbException e = writesRefused;
        if (e != null) {
            throw new PydbException(e.code(), e.getMessage(), e);
        }
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

    /** The verified revision and body of a key, or null; {@code CORRUPTED} if its value fails its checksum. */
    StoredValueCodec.Decoded rawGet(String name, String key) {
        byte[] storedKey = KeyCodec.encode(name, key);
        byte[] stored = documents.get(storedKey);
        return stored == null ? null : decode(name, key, storedKey, stored);
    }

    /** Whether a key has a stored value (damaged or not). */
    boolean containsKey(String name, String key) {
        return documents.containsKey(KeyCodec.encode(name, key));
    }

    Optional<Document> get(String name, String key) {
        StoredValueCodec.Decoded value = rawGet(name, key);
        return value == null ? Optional.empty() : Optional.of(new Document(key, value.rev(), value.body()));
    }

    List<Document> scan(String name, String afterKey, int limit) {
        byte[] from = afterKey == null ? KeyCodec.lowerBound(name) : KeyCodec.encode(name, afterKey);
        NavigableMap<byte[], byte[]> range = documents.subMap(from, afterKey == null, KeyCodec.upperBound(name), false);
        List<Document> result = new ArrayList<>(Math.min(limit, 1024));
        for (Map.Entry<byte[], byte[]> entry : range.entrySet()) {
            if (result.size() >= limit) {
                break;
            }
            result.add(document(name, entry.getKey(), entry.getValue()));
        }
        return List.copyOf(result);
    }

    private Document document(String name, byte[] storedKey, byte[] stored) {
        String key = KeyCodec.decodeKey(name, storedKey);
        StoredValueCodec.Decoded value = decode(name, key, storedKey, stored);
        return new Document(key, value.rev(), value.body());
    }

    /** Verifies a stored value; a damaged one is logged (file, database, key) and answered {@code CORRUPTED}. */
    private StoredValueCodec.Decoded decode(String name, String key, byte[] storedKey, byte[] stored) {
        try {
            return StoredValueCodec.decode(storedKey, stored);
        } catch (StoredValueCodec.CorruptValueException e) {
            LOGGER.error("{}: stored document '{}' in database '{}' is damaged: {}", fileName, key, name, e.getMessage());
            throw PydbException.corrupted(name, key, fileName + ": " + e.getMessage());
        }
    }

    void createDatabase(String name) {
        databases.put(name, 0L);
        pending.setCount(name, 0);
    }

    void dropDatabase(String name) {
        if (!snapshots.isEmpty()) {
            for (byte[] storedKey : documents.subMap(KeyCodec.lowerBound(name), true, KeyCodec.upperBound(name), false).keySet()) {
                remember(storedKey);
            }
        }
        maps.dropDatabase(name);
        pending.dropDatabase(name);
    }

    void rawPut(String name, String key, long rev, byte[] body) {
        byte[] storedKey = KeyCodec.encode(name, key);
        byte[] stored = StoredValueCodec.encode(storedKey, rev, body);
        remember(storedKey);
        documents.put(storedKey, stored);
        pending.putDocument(storedKey, stored);
    }

    void rawRemove(String name, String key) {
        byte[] storedKey = KeyCodec.encode(name, key);
        remember(storedKey);
        documents.remove(storedKey);
        pending.removeDocument(storedKey);
    }

    void setCount(String name, long count) {
        databases.put(name, count);
        pending.setCount(name, count);
    }

    /** Keeps the current value of a key for each open snapshot that has not kept one yet. */
    private void remember(byte[] storedKey) {
        if (snapshots.isEmpty()) {
            return;
        }
        byte[] current = documents.get(storedKey);
        for (Snapshot snapshot : snapshots) {
            snapshot.before.putIfAbsent(storedKey, current == null ? ABSENT : current);
        }
    }

    /**
     * Makes the operations applied since the last commit durable: one record appended to the
     * operation log and synced. A failed append is cut back and thrown as {@code LIMIT_EXCEEDED}
     * (no space) or {@code UNAVAILABLE} (failed fsync: writes are refused from now on); the
     * committer then calls {@link #rollback()}. Checkpoints MapDB when one is due.
     */
    @Override
    public void commit() {
        if (pending.isEmpty()) {
            return;
        }
        try {
            log.append(lastSequence + 1, pending.encoded());
        } catch (IOException e) {
            throw appendFailed(e);
        }
        if (diskFull) {
            diskFull = false;
            LOGGER.info("{}: writes succeed again: the disk has room", fileName);
        }
        lastSequence++;
        operationsSinceCheckpoint += pending.count();
        pending.clear();
        if (checkpoints.due(operationsSinceCheckpoint, log.length()) && System.nanoTime() - checkpointNotBefore >= 0) {
            try {
                checkpoint();
            } catch (RuntimeException e) {
                checkpointFailed(e);
            }
        }
    }

    private PydbException appendFailed(IOException e) {
        PydbException answer;
        if (e instanceof SyncFailedException) {
            answer = DiskFailures.syncFailed(WHO, log.path(), e);
            writesRefused = answer;
            LOGGER.error("{}: {}", fileName, answer.getMessage(), e);
        } else if (DiskFailures.isNoSpace(e)) {
            answer = DiskFailures.diskFull(WHO, log.path(), e);
            if (!diskFull) {
                diskFull = true;
                LOGGER.warn("{}: disk full while appending to {}: writes answer LIMIT_EXCEEDED until there is room", fileName,
                        log.path());
            }
        } else {
            answer = new PydbException(ErrorCode.UNAVAILABLE, WHO + ": cannot append to " + log.path() + " ("
                    + DiskFailures.describe(e) + "); writes are refused: restart the server to recover from the log", e);
            writesRefused = answer;
            LOGGER.error("{}: {}", fileName, answer.getMessage(), e);
        }
        try {
            log.truncateToSynced();
        } catch (IOException cut) {
            PydbException refused = new PydbException(ErrorCode.UNAVAILABLE, WHO + ": cannot cut back " + log.path() + " ("
                    + DiskFailures.describe(cut) + "); writes are refused: restart the server to recover from the log", cut);
            writesRefused = refused;
            LOGGER.error("{}: {}", fileName, refused.getMessage(), cut);
        }
        return answer;
    }

    /** A failed checkpoint loses nothing: the log keeps every record; MapDB's transaction is rebuilt from it. */
    private void checkpointFailed(RuntimeException e) {
        checkpointNotBefore = System.nanoTime() + CHECKPOINT_RETRY_NANOS;
        if (hasCause(e, SyncFailedException.class)) {
            writesRefused = DiskFailures.syncFailed(WHO, file, new IOException(DiskFailures.describe(e), e));
            LOGGER.error("{}: checkpoint failed: {}", fileName, writesRefused.getMessage(), e);
        } else if (DiskFailures.isNoSpace(e)) {
            LOGGER.warn("{}: disk full: checkpoint failed ({}); the operation log keeps the writes, retrying in a second",
                    fileName, DiskFailures.describe(e));
        } else {
            LOGGER.error("{}: checkpoint failed; the operation log keeps the writes, retrying in a second", fileName, e);
        }
        reopenAndReplay();
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Discards the operations applied since the last commit: MapDB is reopened at its last
     * checkpoint and the operation log's synced records are replayed onto it.
     */
    @Override
    public void rollback() {
        reopenAndReplay();
    }

    /**
     * Throws MapDB's open transaction away by closing the store and opening its file again (a
     * failed MapDB commit may leave MapDB's memory inconsistent, but never changed the store file:
     * {@link RedoLog}), then replays the synced records of the log. If that fails, the storage
     * refuses everything until a restart (its files still hold every acknowledged write).
     */
    private void reopenAndReplay() {
        pending.clear();
        try {
            discardPendingWrites.run();
        } catch (RuntimeException e) {
            LOGGER.warn("{}: dropping the pending store writes failed", fileName, e);
        }
        closeQuietly(db);
        try {
            attach(opener.open());
            operationsSinceCheckpoint = 0;
            replay(log.readAll(log.length()));
            LOGGER.info("{}: reopened the store and replayed the operation log after a failure", fileName);
        } catch (IOException | RuntimeException e) {
            failed = new PydbException(ErrorCode.UNAVAILABLE, WHO + ": " + fileName + " could not be reopened after a failure ("
                    + DiskFailures.describe(e) + "); restart the server to recover from its files", e);
            writesRefused = failed;
            LOGGER.error("{}: {}", fileName, failed.getMessage(), e);
        }
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

    // ---------------------------------------------------------------- snapshots

    /**
     * Opens a snapshot: the databases and counts of this moment, and from now on the old value of
     * every key a write changes. Call with no group being applied (under the storage's lock).
     */
    Snapshot openSnapshot() {
        Snapshot snapshot = new Snapshot(new TreeMap<>(databases));
        snapshots.add(snapshot);
        return snapshot;
    }

    void closeSnapshot(Snapshot snapshot) {
        snapshots.remove(snapshot);
    }

    /** The state of an open snapshot; read under the storage's read lock, changed under its write lock. */
    static final class Snapshot {
        final Map<String, Long> databases;
        final NavigableMap<byte[], byte[]> before = new TreeMap<>(Arrays::compareUnsigned);

        Snapshot(Map<String, Long> databases) {
            this.databases = Map.copyOf(databases);
        }
    }

    /** As {@link #scan}, at the moment of {@code snapshot}. */
    List<Document> scan(Snapshot snapshot, String name, String afterKey, int limit) {
        byte[] from = afterKey == null ? KeyCodec.lowerBound(name) : KeyCodec.encode(name, afterKey);
        byte[] to = KeyCodec.upperBound(name);
        var live = documents.subMap(from, afterKey == null, to, false).entrySet().iterator();
        var old = snapshot.before.subMap(from, afterKey == null, to, false).entrySet().iterator();
        Map.Entry<byte[], byte[]> l = live.hasNext() ? live.next() : null;
        Map.Entry<byte[], byte[]> o = old.hasNext() ? old.next() : null;
        List<Document> result = new ArrayList<>(Math.min(limit, 1024));
        while (result.size() < limit && (l != null || o != null)) {
            int order = l == null ? 1 : o == null ? -1 : Arrays.compareUnsigned(l.getKey(), o.getKey());
            if (order < 0) {
                result.add(document(name, l.getKey(), l.getValue()));
                l = live.hasNext() ? live.next() : null;
            } else {
                if (o.getValue() != ABSENT) {
                    result.add(document(name, o.getKey(), o.getValue()));
                }
                if (order == 0) {
                    l = live.hasNext() ? live.next() : null;
                }
                o = old.hasNext() ? old.next() : null;
            }
        }
        return List.copyOf(result);
    }

    // ---------------------------------------------------------------- close

    /** Checkpoints what is logged, then closes MapDB and the log. */
    void close() {
        try {
            if (failed == null && writesRefused == null) {
                if (pending.isEmpty()) {
                    checkpoint();
                } else {
                    LOGGER.warn("{}: closing with {} uncommitted operations; discarding them", fileName, pending.count());
                }
            } else {
                LOGGER.warn("{}: closing without a checkpoint after a failure; the next open recovers from the log", fileName);
            }
        } catch (RuntimeException e) {
            LOGGER.warn("{}: the checkpoint at close failed ({}); the next open replays the operation log", fileName,
                    DiskFailures.describe(e));
            discardPendingWrites.run();
        } finally {
            try {
                closeQuietly(db);
            } finally {
                try {
                    log.close();
                } catch (IOException e) {
                    LOGGER.warn("{}: cannot close the operation log", fileName, e);
                }
            }
        }
    }

    private static void closeQuietly(DB db) {
        if (db == null) {
            return;
        }
        try {
            db.close();
        } catch (RuntimeException e) {
            LOGGER.warn("closing MapDB failed", e);
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
