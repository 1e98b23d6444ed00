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
import java.util.List;
import java.util.Optional;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.GetOp;
import org.lmdbjava.PutFlags;
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

    void createDatabase(Txn<ByteBuffer> txn, String db) {
        if (!databases.put(txn, direct(databaseName(db)), RecordCodec.number(0), PutFlags.MDB_NOOVERWRITE)) {
            throw PydbException.dbExists(db);
        }
    }

    void dropDatabase(Txn<ByteBuffer> txn, String db) {
        ByteBuffer name = direct(databaseName(db));
        if (!databases.delete(txn, name)) {
            throw PydbException.dbNotFound(db);
        }
        byte[] prefix = prefix(db);
        try (Cursor<ByteBuffer> cursor = documents.openCursor(txn)) {
            boolean found = cursor.get(direct(prefix), GetOp.MDB_SET_RANGE);
            while (found && hasPrefix(cursor.key(), prefix)) {
                cursor.delete();
                found = cursor.next();
            }
        }
    }

    List<String> listDatabases(Txn<ByteBuffer> txn) {
        List<String> names = new ArrayList<>();
        try (Cursor<ByteBuffer> cursor = databases.openCursor(txn)) {
            boolean found = cursor.first();
            while (found) {
                names.add(RecordCodec.databaseNameOf(cursor.key()));
                found = cursor.next();
            }
        }
        return List.copyOf(names);
    }

    boolean databaseExists(Txn<ByteBuffer> txn, String db) {
        return databases.get(txn, direct(databaseName(db))) != null;
    }

    /** The document count of {@code db}; {@code DB_NOT_FOUND} if it does not exist. */
    long count(Txn<ByteBuffer> txn, String db) {
        ByteBuffer count = databases.get(txn, direct(databaseName(db)));
        if (count == null) {
            throw PydbException.dbNotFound(db);
        }
        return RecordCodec.numberOf(count);
    }

    // ---- documents

    Optional<Document> get(Txn<ByteBuffer> txn, String db, String key) {
        requireDatabase(txn, db);
        ByteBuffer value = documents.get(txn, documentKey(prefix(db), key));
        return value == null ? Optional.empty() : Optional.of(new Document(key, revisionOf(value), bodyOf(value)));
    }

    List<Document> scan(Txn<ByteBuffer> txn, String db, String afterKey, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, was " + limit);
        }
        requireDatabase(txn, db);
        if (limit == 0) {
            return List.of();
        }
        byte[] prefix = prefix(db);
        ByteBuffer start = afterKey == null ? direct(prefix) : RecordCodec.seekKey(prefix, afterKey);
        List<Document> page = new ArrayList<>(Math.min(limit, 1024));
        try (Cursor<ByteBuffer> cursor = documents.openCursor(txn)) {
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
     * Applies {@code ops} in order inside {@code txn} and updates the document count. On a failing
     * operation it throws, with the operation's position as detail {@code index}, leaving
     * {@code txn} half-written: the caller must abort it.
     */
    List<WriteResult> write(Txn<ByteBuffer> txn, String db, List<WriteOp> ops) {
        ByteBuffer name = direct(databaseName(db));
        ByteBuffer countValue = databases.get(txn, name);
        if (countValue == null) {
            throw PydbException.dbNotFound(db);
        }
        long count = RecordCodec.numberOf(countValue);
        long initialCount = count;
        byte[] prefix = prefix(db);
        List<WriteResult> results = new ArrayList<>(ops.size());
        for (int index = 0; index < ops.size(); index++) {
            WriteOp op = ops.get(index);
            WriteResult result;
            try {
                result = apply(txn, db, prefix, op);
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
        if (count != initialCount) {
            databases.put(txn, name, RecordCodec.number(count));
        }
        return List.copyOf(results);
    }

    private WriteResult apply(Txn<ByteBuffer> txn, String db, byte[] prefix, WriteOp op) {
        String key = op.key();
        ByteBuffer recordKey = documentKey(prefix, key);
        ByteBuffer current = documents.get(txn, recordKey);
        long currentRev = current == null ? 0 : revisionOf(current);
        return switch (op) {
            case WriteOp.Put put -> {
                checkRevision(db, key, put.expectedRev(), currentRev);
                yield store(txn, recordKey, key, currentRev + 1, put.body());
            }
            case WriteOp.Insert insert -> {
                if (currentRev != 0) {
                    throw PydbException.keyExists(db, key);
                }
                yield store(txn, recordKey, key, 1, insert.body());
            }
            case WriteOp.Update update -> {
                if (currentRev == 0) {
                    throw PydbException.notFound(db, key);
                }
                checkRevision(db, key, update.expectedRev(), currentRev);
                byte[] changed = update.change().apply(bodyOf(current));
                if (changed == null) {
                    throw new IllegalStateException("the update of key '" + key + "' returned no body");
                }
                yield store(txn, recordKey, key, currentRev + 1, changed);
            }
            case WriteOp.Delete delete -> {
                if (currentRev == 0) {
                    throw PydbException.notFound(db, key);
                }
                checkRevision(db, key, delete.expectedRev(), currentRev);
                documents.delete(txn, recordKey);
                yield WriteResult.deleted(key);
            }
        };
    }

    private WriteResult store(Txn<ByteBuffer> txn, ByteBuffer recordKey, String key, long rev, byte[] body) {
        ByteBuffer target = documents.reserve(txn, recordKey, RecordCodec.valueLength(body));
        RecordCodec.writeValue(target, rev, body);
        return WriteResult.written(key, rev);
    }

    private static void checkRevision(String db, String key, long expectedRev, long currentRev) {
        if (expectedRev != Storage.ANY_REVISION && expectedRev != currentRev) {
            throw PydbException.conflict(db, key, expectedRev, currentRev);
        }
    }

    private void requireDatabase(Txn<ByteBuffer> txn, String db) {
        if (!databaseExists(txn, db)) {
            throw PydbException.dbNotFound(db);
        }
    }
}
