package dev.pydb.storage.mapdb;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.Serializer;

/**
 * The data of one MapDB file: a {@code databases} map (name to document count) and one
 * {@code documents} map whose keys are laid out by {@link KeyCodec} and whose values are
 * {@link StoredValue}s. It does no locking and no validation of its own:
 * {@link MapdbStorage} serialises access and {@link WriteBatch} validates writes.
 */
final class MapdbStore implements Transaction {
    /** Bumped when the layout changes; a file with another version is refused. */
    static final int FORMAT_VERSION = 1;

    private final DB db;
    private final Runnable discardPendingWrites;
    private final BTreeMap<String, Long> databases;
    private final BTreeMap<byte[], byte[]> documents;

    private MapdbStore(DB db, Runnable discardPendingWrites, BTreeMap<String, Long> databases,
            BTreeMap<byte[], byte[]> documents) {
        this.db = db;
        this.discardPendingWrites = discardPendingWrites;
        this.databases = databases;
        this.documents = documents;
    }

    /**
     * Opens (creating if new) the maps of {@code db} and commits them; {@code UNAVAILABLE} for a
     * foreign format. {@code discardPendingWrites} drops the store-file writes of a failed commit
     * ({@link RedoLogVolume#discardPending()}) before a rollback.
     */
    static MapdbStore open(DB db, String fileName, Runnable discardPendingWrites) {
        requireNonNull(db, "db is null");
        requireNonNull(discardPendingWrites, "discardPendingWrites is null");
        var format = db.atomicInteger("pydb.format").createOrOpen();
        int version = format.get();
        if (version == 0) {
            format.set(FORMAT_VERSION);
        } else if (version != FORMAT_VERSION) {
            throw new PydbException(ErrorCode.UNAVAILABLE, fileName + ": store format version " + version
                    + " is not supported (this version reads " + FORMAT_VERSION + ")");
        }
        BTreeMap<String, Long> databases = db.treeMap("pydb.databases", Serializer.STRING, Serializer.LONG).createOrOpen();
        BTreeMap<byte[], byte[]> documents = db.treeMap("pydb.documents", Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY)
                .valuesOutsideNodesEnable()
                .createOrOpen();
        db.commit();
        return new MapdbStore(db, discardPendingWrites, databases, documents);
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
    }

    void dropDatabase(String name) {
        documents.subMap(KeyCodec.lowerBound(name), true, KeyCodec.upperBound(name), false).clear();
        databases.remove(name);
    }

    void rawPut(String name, String key, byte[] stored) {
        documents.put(KeyCodec.encode(name, key), stored);
    }

    void rawRemove(String name, String key) {
        documents.remove(KeyCodec.encode(name, key));
    }

    void setCount(String name, long count) {
        databases.put(name, count);
    }

    @Override
    public void commit() {
        db.commit();
    }

    @Override
    public void rollback() {
        discardPendingWrites.run();
        db.rollback();
    }

    void close() {
        db.close();
    }
}
