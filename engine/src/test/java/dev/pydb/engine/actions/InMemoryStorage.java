package dev.pydb.engine.actions;

import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.KeyOrder;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageClosedException;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.api.storage.WriteResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A test {@link Storage} that honours the contract: revisions, compare-and-set, atomic batches
 * (a failing op's error carries {@code index}), {@link KeyOrder}, the Update op. Counts write calls.
 */
final class InMemoryStorage implements Storage {
    private final Map<String, NavigableMap<String, Document>> databases = new TreeMap<>(KeyOrder.COMPARATOR);
    private int writeCalls;
    private int scanCalls;
    private boolean closed;

    @Override
    public synchronized void createDatabase(String db) {
        open();
        if (databases.putIfAbsent(db, new TreeMap<>(KeyOrder.COMPARATOR)) != null) {
            throw PydbException.dbExists(db);
        }
    }

    @Override
    public synchronized void dropDatabase(String db) {
        open();
        if (databases.remove(db) == null) {
            throw PydbException.dbNotFound(db);
        }
    }

    @Override
    public synchronized List<String> listDatabases() {
        open();
        return List.copyOf(databases.keySet());
    }

    @Override
    public synchronized Optional<Document> get(String db, String key) {
        return Optional.ofNullable(database(db).get(key));
    }

    @Override
    public synchronized List<Document> scan(String db, String afterKey, int limit) {
        scanCalls++;
        NavigableMap<String, Document> docs = database(db);
        Iterable<Document> tail = afterKey == null ? docs.values() : docs.tailMap(afterKey, false).values();
        List<Document> result = new ArrayList<>();
        for (Document document : tail) {
            if (result.size() == limit) {
                break;
            }
            result.add(document);
        }
        return List.copyOf(result);
    }

    @Override
    public synchronized long count(String db) {
        return database(db).size();
    }

    @Override
    public synchronized List<WriteResult> write(String db, List<WriteOp> ops) {
        writeCalls++;
        NavigableMap<String, Document> copy = new TreeMap<>(database(db));
        List<WriteResult> results = new ArrayList<>();
        for (int index = 0; index < ops.size(); index++) {
            try {
                results.add(apply(db, copy, ops.get(index)));
            } catch (PydbException e) {
                throw e.withDetail("index", index);
            }
        }
        databases.put(db, copy);
        return List.copyOf(results);
    }

    private static WriteResult apply(String db, NavigableMap<String, Document> docs, WriteOp op) {
        Document current = docs.get(op.key());
        return switch (op) {
            case WriteOp.Insert insert -> {
                if (current != null) {
                    throw PydbException.keyExists(db, op.key());
                }
                docs.put(op.key(), new Document(op.key(), 1, insert.body()));
                yield WriteResult.written(op.key(), 1);
            }
            case WriteOp.Put put -> {
                checkRev(db, op.key(), current, put.expectedRev());
                long rev = current == null ? 1 : current.rev() + 1;
                docs.put(op.key(), new Document(op.key(), rev, put.body()));
                yield WriteResult.written(op.key(), rev);
            }
            case WriteOp.Update update -> {
                if (current == null) {
                    throw PydbException.notFound(db, op.key());
                }
                checkRev(db, op.key(), current, update.expectedRev());
                byte[] body = update.change().apply(current.body());
                docs.put(op.key(), new Document(op.key(), current.rev() + 1, body));
                yield WriteResult.written(op.key(), current.rev() + 1);
            }
            case WriteOp.Delete delete -> {
                if (current == null) {
                    throw PydbException.notFound(db, op.key());
                }
                checkRev(db, op.key(), current, delete.expectedRev());
                docs.remove(op.key());
                yield WriteResult.deleted(op.key());
            }
        };
    }

    private static void checkRev(String db, String key, Document current, long expectedRev) {
        if (expectedRev == ANY_REVISION) {
            return;
        }
        long actual = current == null ? 0 : current.rev();
        if (actual != expectedRev) {
            throw PydbException.conflict(db, key, expectedRev, actual);
        }
    }

    synchronized int writeCalls() {
        return writeCalls;
    }

    synchronized int scanCalls() {
        return scanCalls;
    }

    private NavigableMap<String, Document> database(String db) {
        open();
        NavigableMap<String, Document> docs = databases.get(db);
        if (docs == null) {
            throw PydbException.dbNotFound(db);
        }
        return docs;
    }

    private void open() {
        if (closed) {
            throw new StorageClosedException("memory");
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
