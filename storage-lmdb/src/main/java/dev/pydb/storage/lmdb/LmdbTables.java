package dev.pydb.storage.lmdb;

import static dev.pydb.storage.lmdb.RecordCodec.databaseName;
import static dev.pydb.storage.lmdb.RecordCodec.direct;
import static dev.pydb.storage.lmdb.RecordCodec.documentKey;
import static dev.pydb.storage.lmdb.RecordCodec.hasPrefix;
import static dev.pydb.storage.lmdb.RecordCodec.prefix;
import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.api.storage.WriteResult;
import dev.pydb.storage.toolkit.codec.StoredValueCodec;
import dev.pydb.storage.toolkit.codec.StoredValueCodec.CorruptValueException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.GetOp;
import org.lmdbjava.Txn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The three LMDB databases ("Dbi"s) of the backend and every read and write on them, each within
 * a transaction the caller owns:
 * <ul>
 *   <li>{@code documents}: all documents of all databases, keyed {@code <db> 0x00 <key>}, valued
 *       in the checksummed format 2 ({@link RecordCodec});</li>
 *   <li>{@code databases}: one entry per database, valued with its checksummed document count,
 *       kept in the same transaction as the documents it counts;</li>
 *   <li>{@code meta}: {@code format_version} = 2, and {@code upgrade_from_1} while a 0.1.0 store
 *       is being rewritten ({@link FormatUpgrade}).</li>
 * </ul>
 * Every value read is verified: a document or count that fails its checksum is never returned;
 * the request gets {@code CORRUPTED} and the log names the file, the database and the key.
 */
final class LmdbTables {
    static final int DBI_COUNT = 3;
    static final long FORMAT_VERSION = 2;
    static final long FORMAT_VERSION_0_1_0 = 1;
    private static final byte[] FORMAT_VERSION_KEY = "format_version".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] UPGRADE_KEY = "upgrade_from_1".getBytes(StandardCharsets.US_ASCII);
    private static final Logger LOG = LoggerFactory.getLogger(LmdbTables.class);

    private final Dbi<ByteBuffer> documents;
    private final Dbi<ByteBuffer> databases;
    private final Dbi<ByteBuffer> meta;
    private final Path dataFile;
    private final boolean upgradePending;

    private LmdbTables(Dbi<ByteBuffer> documents, Dbi<ByteBuffer> databases, Dbi<ByteBuffer> meta, Path dataFile,
            boolean upgradePending) {
        this.documents = requireNonNull(documents, "documents is null");
        this.databases = requireNonNull(databases, "databases is null");
        this.meta = requireNonNull(meta, "meta is null");
        this.dataFile = requireNonNull(dataFile, "dataFile is null");
        this.upgradePending = upgradePending;
    }

    /**
     * Opens (creating if needed) the Dbis in {@code txn}, a write transaction the caller commits,
     * and checks the on-disk format version. A 0.1.0 store (format 1) is marked as being upgraded
     * (format version 2 and the key {@code upgrade_from_1}, so a 0.1.0 server refuses it from now
     * on); the caller then runs the {@link FormatUpgrade} before serving.
     */
    static LmdbTables open(Env<ByteBuffer> env, Txn<ByteBuffer> txn, Path dataFile) {
        Dbi<ByteBuffer> documents = openDbi(env, txn, "documents");
        Dbi<ByteBuffer> databases = openDbi(env, txn, "databases");
        Dbi<ByteBuffer> meta = openDbi(env, txn, "meta");
        ByteBuffer versionKey = direct(FORMAT_VERSION_KEY);
        ByteBuffer upgradeKey = direct(UPGRADE_KEY);
        ByteBuffer stored = meta.get(txn, versionKey);
        long version = stored == null ? FORMAT_VERSION : RecordCodec.numberOf(stored);
        if (version == FORMAT_VERSION_0_1_0) {
            meta.put(txn, upgradeKey, RecordCodec.number(FORMAT_VERSION_0_1_0));
            version = FORMAT_VERSION;
        } else if (version != FORMAT_VERSION) {
            throw new PydbException(ErrorCode.UNAVAILABLE, "the lmdb data in " + dataFile + " has format version "
                    + version + "; this server reads versions " + FORMAT_VERSION_0_1_0 + " (upgraded at start) and " + FORMAT_VERSION);
        }
        if (stored == null || RecordCodec.numberOf(stored) != version) {
            meta.put(txn, versionKey, RecordCodec.number(version));
        }
        boolean upgradePending = meta.get(txn, upgradeKey) != null;
        return new LmdbTables(documents, databases, meta, dataFile, upgradePending);
    }

    private static Dbi<ByteBuffer> openDbi(Env<ByteBuffer> env, Txn<ByteBuffer> txn, String name) {
        return env.openDbi(txn, name.getBytes(StandardCharsets.US_ASCII), null, false, DbiFlags.MDB_CREATE);
    }

    /** Whether a 0.1.0 store's values still have to be rewritten in format 2 (the open found the marker). */
    boolean upgradePending() {
        return upgradePending;
    }

    /** The data file named in damage reports. */
    Path dataFile() {
        return dataFile;
    }

    Dbi<ByteBuffer> documents() {
        return documents;
    }

    Dbi<ByteBuffer> databases() {
        return databases;
    }

    /** Ends an upgrade: removes the marker that {@link #open} set. */
    void finishUpgrade(Txn<ByteBuffer> txn) {
        meta.delete(txn, direct(UPGRADE_KEY));
    }

    // ---- databases

    PreparedWrite<Void> prepareCreateDatabase(Txn<ByteBuffer> txn, String db) {
        byte[] nameBytes = databaseName(db);
        ByteBuffer name = direct(nameBytes);
        if (databases.get(txn, name) != null) {
            throw PydbException.dbExists(db);
        }
        return writeTxn -> {
            databases.put(writeTxn, name, RecordCodec.countValue(nameBytes, 0));
            return null;
        };
    }

    PreparedWrite<Void> prepareDropDatabase(Txn<ByteBuffer> txn, String db) {
        ByteBuffer name = direct(databaseName(db));
        if (databases.get(txn, name) == null) {
            throw PydbException.dbNotFound(db);
        }
        byte[] prefix = prefix(db);
        return writeTxn -> {
            databases.delete(writeTxn, name);
            try (Cursor<ByteBuffer> cursor = documents.openCursor(writeTxn)) {
                boolean found = cursor.get(direct(prefix), GetOp.MDB_SET_RANGE);
                while (found && hasPrefix(cursor.key(), prefix)) {
                    cursor.delete();
                    found = cursor.next();
                }
            }
            return null;
        };
    }

    // ---- reads, in a ReadContext: its key buffer instead of a new direct buffer per lookup

    List<String> listDatabases(ReadContext read) {
        List<String> names = new ArrayList<>();
        try (Cursor<ByteBuffer> cursor = databases.openCursor(read.txn())) {
            boolean found = cursor.first();
            while (found) {
                names.add(RecordCodec.databaseNameOf(cursor.key()));
                found = cursor.next();
            }
        }
        return List.copyOf(names);
    }

    boolean databaseExists(ReadContext read, String db) {
        return databases.get(read.txn(), read.key(databaseName(db))) != null;
    }

    /** The document count of {@code db}; {@code DB_NOT_FOUND} if it does not exist, {@code CORRUPTED} if damaged. */
    long count(ReadContext read, String db) {
        ByteBuffer name = read.key(databaseName(db));
        ByteBuffer count = databases.get(read.txn(), name);
        if (count == null) {
            throw PydbException.dbNotFound(db);
        }
        try {
            return RecordCodec.countOf(name, count);
        } catch (CorruptValueException e) {
            throw damagedCount(db, e);
        }
    }

    // ---- documents

    Optional<Document> get(ReadContext read, String db, String key) {
        byte[] prefix = prefix(db);
        requireDatabase(read, prefix);
        byte[] keyBytes = RecordCodec.keyBytes(key);
        ByteBuffer recordKey = read.key(prefix, keyBytes, keyBytes.length);
        ByteBuffer value = documents.get(read.txn(), recordKey);
        if (value == null) {
            return Optional.empty();
        }
        StoredValueCodec.Decoded decoded = decode(db, key, recordKey, value);
        return Optional.of(new Document(key, decoded.rev(), decoded.body()));
    }

    List<Document> scan(ReadContext read, String db, String afterKey, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, was " + limit);
        }
        byte[] prefix = prefix(db);
        requireDatabase(read, prefix);
        if (limit == 0) {
            return List.of();
        }
        byte[] after = afterKey == null ? new byte[0] : RecordCodec.seekSuffix(afterKey);
        ByteBuffer start = read.key(prefix, after, after.length);
        List<Document> page = new ArrayList<>(Math.min(limit, 1024));
        try (Cursor<ByteBuffer> cursor = documents.openCursor(read.txn())) {
            boolean found = cursor.get(start, GetOp.MDB_SET_RANGE);
            if (found && cursor.key().equals(start)) {
                found = cursor.next();
            }
            while (found && page.size() < limit && hasPrefix(cursor.key(), prefix)) {
                ByteBuffer recordKey = cursor.key();
                String key = RecordCodec.documentKeyOf(recordKey, prefix);
                StoredValueCodec.Decoded decoded = decode(db, key, recordKey, cursor.val());
                page.add(new Document(key, decoded.rev(), decoded.body()));
                found = cursor.next();
            }
        }
        return List.copyOf(page);
    }

    /**
     * Checks {@code ops} in order against {@code txn} without writing anything, each seeing the
     * effects of the earlier ones, and returns the writes that apply them and update the document
     * count. A failing operation throws, with its position as detail {@code index}, and leaves
     * {@code txn} untouched.
     */
    PreparedWrite<List<WriteResult>> prepareWrite(Txn<ByteBuffer> txn, String db, List<WriteOp> ops) {
        byte[] nameBytes = databaseName(db);
        byte[] prefix = prefix(db);
        StoredCount initial = countForWrite(txn, db, nameBytes, prefix);
        long count = initial.count();
        Map<String, PendingDocument> pending = new LinkedHashMap<>();
        List<WriteResult> results = new ArrayList<>(ops.size());
        for (int index = 0; index < ops.size(); index++) {
            WriteOp op = ops.get(index);
            WriteResult result;
            try {
                result = check(txn, db, prefix, op, pending);
            } catch (PydbException e) {
                throw e.withDetail("index", index);
            }
            if (result.deleted()) {
                count--;
            } else if (result.rev() == 1) {
                count++;
            }
            results.add(result);
        }
        List<WriteResult> immutableResults = List.copyOf(results);
        return applying(pending.values(), nameBytes, initial, count, immutableResults);
    }

    /**
     * Checks that {@code db} exists and holds none of the keys of {@code batch} (which must be
     * distinct), and returns the writes that store them with their revisions and raise the count.
     * A failing document throws, with its position as detail {@code index}.
     */
    PreparedWrite<Void> prepareImport(Txn<ByteBuffer> txn, String db, List<Document> batch) {
        byte[] nameBytes = databaseName(db);
        byte[] prefix = prefix(db);
        StoredCount initial = countForWrite(txn, db, nameBytes, prefix);
        List<PendingDocument> pending = new ArrayList<>(batch.size());
        Set<String> keys = new HashSet<>();
        for (int index = 0; index < batch.size(); index++) {
            Document document = batch.get(index);
            try {
                ByteBuffer recordKey = documentKey(prefix, document.key());
                if (!keys.add(document.key()) || documents.get(txn, recordKey) != null) {
                    throw PydbException.keyExists(db, document.key());
                }
                pending.add(new PendingDocument(recordKey, document.rev(), document.body()));
            } catch (PydbException e) {
                throw e.withDetail("index", index);
            }
        }
        return applying(pending, nameBytes, initial, initial.count() + pending.size(), null);
    }

    private <T> PreparedWrite<T> applying(Iterable<PendingDocument> pending, byte[] nameBytes, StoredCount initial,
            long finalCount, T result) {
        return writeTxn -> {
            for (PendingDocument document : pending) {
                if (document.body() == null) {
                    documents.delete(writeTxn, document.recordKey());
                } else {
                    ByteBuffer target = documents.reserve(writeTxn, document.recordKey(),
                            RecordCodec.documentValueLength(document.body()));
                    RecordCodec.writeDocumentValue(target, document.recordKey(), document.rev(), document.body());
                }
            }
            if (finalCount != initial.count() || initial.damaged()) {
                databases.put(writeTxn, direct(nameBytes), RecordCodec.countValue(nameBytes, finalCount));
            }
            return result;
        };
    }

    /** The state of a document after the checked operations of a batch; {@code body} null = deleted. */
    private record PendingDocument(ByteBuffer recordKey, long rev, byte[] body) {}

    private WriteResult check(Txn<ByteBuffer> txn, String db, byte[] prefix, WriteOp op,
            Map<String, PendingDocument> pending) {
        String key = op.key();
        PendingDocument earlier = pending.get(key);
        ByteBuffer recordKey;
        long currentRev;
        byte[] currentBody = null;
        if (earlier != null) {
            recordKey = earlier.recordKey();
            currentRev = earlier.body() == null ? 0 : earlier.rev();
            currentBody = earlier.body();
        } else {
            recordKey = documentKey(prefix, key);
            ByteBuffer stored = documents.get(txn, recordKey);
            if (stored == null) {
                currentRev = 0;
            } else if (op instanceof WriteOp.Insert) {
                throw PydbException.keyExists(db, key);
            } else if (op instanceof WriteOp.Delete delete && delete.expectedRev() == Storage.ANY_REVISION
                    && !decodes(recordKey, stored)) {
                // the one way to remove a damaged document without a backup; the log says so
                LOG.warn("deleting the damaged document '{}' of database '{}' in {}", key, db, dataFile);
                pending.put(key, new PendingDocument(recordKey, 0, null));
                return WriteResult.deleted(key);
            } else {
                StoredValueCodec.Decoded decoded = decode(db, key, recordKey, stored);
                currentRev = decoded.rev();
                currentBody = decoded.body();
            }
        }
        return switch (op) {
            case WriteOp.Put put -> {
                checkRevision(db, key, put.expectedRev(), currentRev);
                yield written(pending, recordKey, key, currentRev + 1, put.body());
            }
            case WriteOp.Insert insert -> {
                if (currentRev != 0) {
                    throw PydbException.keyExists(db, key);
                }
                yield written(pending, recordKey, key, 1, insert.body());
            }
            case WriteOp.Update update -> {
                if (currentRev == 0) {
                    throw PydbException.notFound(db, key);
                }
                checkRevision(db, key, update.expectedRev(), currentRev);
                byte[] changed = update.change().apply(currentBody.clone());
                if (changed == null) {
                    throw new IllegalStateException("the update of key '" + key + "' returned no body");
                }
                yield written(pending, recordKey, key, currentRev + 1, changed);
            }
            case WriteOp.Delete delete -> {
                if (currentRev == 0) {
                    throw PydbException.notFound(db, key);
                }
                checkRevision(db, key, delete.expectedRev(), currentRev);
                pending.put(key, new PendingDocument(recordKey, 0, null));
                yield WriteResult.deleted(key);
            }
        };
    }

    private static WriteResult written(Map<String, PendingDocument> pending, ByteBuffer recordKey, String key, long rev,
            byte[] body) {
        pending.put(key, new PendingDocument(recordKey, rev, body));
        return WriteResult.written(key, rev);
    }

    private static void checkRevision(String db, String key, long expectedRev, long currentRev) {
        if (expectedRev != Storage.ANY_REVISION && expectedRev != currentRev) {
            throw PydbException.conflict(db, key, expectedRev, currentRev);
        }
    }

    /** A database's document count before a write; {@code damaged}: it failed its checksum and was counted again. */
    private record StoredCount(long count, boolean damaged) {}

    /**
     * The document count of {@code db} for a write; {@code DB_NOT_FOUND} if it does not exist. A
     * count that fails its checksum is logged and counted again from the database's keys, and the
     * write stores it.
     */
    private StoredCount countForWrite(Txn<ByteBuffer> txn, String db, byte[] nameBytes, byte[] prefix) {
        ByteBuffer name = direct(nameBytes);
        ByteBuffer countValue = databases.get(txn, name);
        if (countValue == null) {
            throw PydbException.dbNotFound(db);
        }
        try {
            return new StoredCount(RecordCodec.countOf(name, countValue), false);
        } catch (CorruptValueException e) {
            long counted = 0;
            try (Cursor<ByteBuffer> cursor = documents.openCursor(txn)) {
                boolean found = cursor.get(direct(prefix), GetOp.MDB_SET_RANGE);
                while (found && hasPrefix(cursor.key(), prefix)) {
                    counted++;
                    found = cursor.next();
                }
            }
            LOG.error("the document count of database '{}' in {} is damaged ({}); this write stores the count of its"
                    + " keys, {}", db, dataFile, e.getMessage(), counted);
            return new StoredCount(counted, true);
        }
    }

    /** Checks that the database of {@code prefix} (its name and the separator) exists. */
    private void requireDatabase(ReadContext read, byte[] prefix) {
        if (databases.get(read.txn(), read.key(prefix, prefix.length - 1)) == null) {
            throw PydbException.dbNotFound(new String(prefix, 0, prefix.length - 1, StandardCharsets.US_ASCII));
        }
    }

    /** Verifies and decodes a stored document; a damaged one is logged and answered with {@code CORRUPTED}. */
    private StoredValueCodec.Decoded decode(String db, String key, ByteBuffer recordKey, ByteBuffer value) {
        try {
            return RecordCodec.decodeDocument(recordKey, value);
        } catch (CorruptValueException e) {
            LOG.error("stored document failed its check: file {}, database '{}', key '{}': {}", dataFile, db, key,
                    e.getMessage());
            throw PydbException.corrupted(db, key, dataFile.toString());
        }
    }

    private static boolean decodes(ByteBuffer recordKey, ByteBuffer value) {
        try {
            RecordCodec.decodeDocument(recordKey, value);
            return true;
        } catch (CorruptValueException e) {
            return false;
        }
    }

    private PydbException damagedCount(String db, CorruptValueException e) {
        LOG.error("stored document count failed its check: file {}, database '{}': {}", dataFile, db, e.getMessage());
        return new PydbException(ErrorCode.CORRUPTED, "the document count of '" + db + "' is damaged (checksum mismatch in "
                + dataFile + "); the next write to '" + db + "' stores it again");
    }
}
