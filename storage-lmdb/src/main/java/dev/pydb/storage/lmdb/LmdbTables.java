package dev.pydb.storage.lmdb;

import static dev.pydb.storage.lmdb.RecordCodec.bodyOf;
import static dev.pydb.storage.lmdb.RecordCodec.databaseName;
import static dev.pydb.storage.lmdb.RecordCodec.direct;
import static dev.pydb.storage.lmdb.RecordCodec.documentKey;
import static dev.pydb.storage.lmdb.RecordCodec.hasPrefix;
import static dev.pydb.storage.lmdb.RecordCodec.prefix;
import static dev.pydb.storage.lmdb.RecordCodec.revisionOf;
import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.api.storage.WriteResult;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.GetOp;
import org.lmdbjava.Txn;

/**
 * The three LMDB databases ("Dbi"s) of the backend and every read and write on them, each within
 * a transaction the caller owns:
 * <ul>
 *   <li>{@code documents}: all documents of all databases, keyed {@code <db> 0x00 <key>}, valued
 *       revision + body ({@link RecordCodec});</li>
 *   <li>{@code databases}: one entry per database, valued with its document count, kept in the
 *       same transaction as the documents it counts;</li>
 *   <li>{@code meta}: {@code format_version} = 1.</li>
 * </ul>
 */
final class LmdbTables {
    static final int DBI_COUNT = 3;
    static final long FORMAT_VERSION = 1;
    private static final byte[] FORMAT_VERSION_KEY = "format_version".getBytes(StandardCharsets.US_ASCII);

    private final Dbi<ByteBuffer> documents;
    private final Dbi<ByteBuffer> databases;

    private LmdbTables(Dbi<ByteBuffer> documents, Dbi<ByteBuffer> databases) {
        this.documents = requireNonNull(documents, "documents is null");
        this.databases = requireNonNull(databases, "databases is null");
    }

    /**
     * Opens (creating if needed) the Dbis in {@code txn}, a write transaction the caller commits,
     * and checks the on-disk format version.
     */
    static LmdbTables open(Env<ByteBuffer> env, Txn<ByteBuffer> txn) {
        Dbi<ByteBuffer> documents = openDbi(env, txn, "documents");
        Dbi<ByteBuffer> databases = openDbi(env, txn, "databases");
        Dbi<ByteBuffer> meta = openDbi(env, txn, "meta");
        ByteBuffer versionKey = direct(FORMAT_VERSION_KEY);
        ByteBuffer stored = meta.get(txn, versionKey);
        if (stored == null) {
            meta.put(txn, versionKey, RecordCodec.number(FORMAT_VERSION));
        } else if (RecordCodec.numberOf(stored) != FORMAT_VERSION) {
            throw new PydbException(ErrorCode.UNAVAILABLE, "the lmdb data has format version "
                    + RecordCodec.numberOf(stored) + "; this server reads version " + FORMAT_VERSION);
        }
        return new LmdbTables(documents, databases);
    }

    private static Dbi<ByteBuffer> openDbi(Env<ByteBuffer> env, Txn<ByteBuffer> txn, String name) {
        return env.openDbi(txn, name.getBytes(StandardCharsets.US_ASCII), null, false, DbiFlags.MDB_CREATE);
    }

    // ---- databases

    PreparedWrite<Void> prepareCreateDatabase(Txn<ByteBuffer> txn, String db) {
        ByteBuffer name = direct(databaseName(db));
        if (databases.get(txn, name) != null) {
            throw PydbException.dbExists(db);
        }
        return writeTxn -> {
            databases.put(writeTxn, name, RecordCodec.number(0));
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

    /** The document count of {@code db}; {@code DB_NOT_FOUND} if it does not exist. */
    long count(ReadContext read, String db) {
        ByteBuffer count = databases.get(read.txn(), read.key(databaseName(db)));
        if (count == null) {
            throw PydbException.dbNotFound(db);
        }
        return RecordCodec.numberOf(count);
    }

    // ---- documents

    Optional<Document> get(ReadContext read, String db, String key) {
        byte[] prefix = prefix(db);
        requireDatabase(read, prefix);
        byte[] keyBytes = RecordCodec.keyBytes(key);
        ByteBuffer value = documents.get(read.txn(), read.key(prefix, keyBytes, keyBytes.length));
        return value == null ? Optional.empty() : Optional.of(new Document(key, revisionOf(value), bodyOf(value)));
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
                ByteBuffer value = cursor.val();
                page.add(new Document(RecordCodec.documentKeyOf(cursor.key(), prefix), revisionOf(value), bodyOf(value)));
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
        ByteBuffer name = direct(databaseName(db));
        ByteBuffer countValue = databases.get(txn, name);
        if (countValue == null) {
            throw PydbException.dbNotFound(db);
        }
        long initialCount = RecordCodec.numberOf(countValue);
        long count = initialCount;
        byte[] prefix = prefix(db);
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
        long finalCount = count;
        List<WriteResult> immutableResults = List.copyOf(results);
        return writeTxn -> {
            for (PendingDocument document : pending.values()) {
                if (document.body() == null) {
                    documents.delete(writeTxn, document.recordKey());
                } else {
                    ByteBuffer target = documents.reserve(writeTxn, document.recordKey(),
                            RecordCodec.valueLength(document.body()));
                    RecordCodec.writeValue(target, document.rev(), document.body());
                }
            }
            if (finalCount != initialCount) {
                databases.put(writeTxn, name, RecordCodec.number(finalCount));
            }
            return immutableResults;
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
        ByteBuffer stored = null;
        if (earlier != null) {
            recordKey = earlier.recordKey();
            currentRev = earlier.body() == null ? 0 : earlier.rev();
        } else {
            recordKey = documentKey(prefix, key);
            stored = documents.get(txn, recordKey);
            currentRev = stored == null ? 0 : revisionOf(stored);
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
                byte[] current = earlier != null ? earlier.body().clone() : bodyOf(stored);
                byte[] changed = update.change().apply(current);
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

    /** Checks that the database of {@code prefix} (its name and the separator) exists. */
    private void requireDatabase(ReadContext read, byte[] prefix) {
        if (databases.get(read.txn(), read.key(prefix, prefix.length - 1)) == null) {
            throw PydbException.dbNotFound(new String(prefix, 0, prefix.length - 1, StandardCharsets.US_ASCII));
        }
    }
}
