package dev.pydb.examples.incr;

import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.KeyOrder;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageClosedException;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.api.storage.WriteResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A thread-safe in-memory {@link Storage} for tests, with revision checks inside one lock. A test
 * may set {@link #beforeEachWrite} to act between an INCR's read and its write (a concurrent writer);
 * writes made by the hook itself do not run it again.
 */
final class InMemoryStorage implements Storage {
    private final Map<String, TreeMap<String, Document>> databases = new HashMap<>();
    private boolean closed;
    final AtomicInteger conflicts = new AtomicInteger();
    volatile Runnable beforeEachWrite = () -> {};
    private final ThreadLocal<Boolean> inHook = ThreadLocal.withInitial(() -> false);

    InMemoryStorage(String... databaseNames) {
        for (String db : databaseNames) {
            databases.put(db, new TreeMap<>(KeyOrder.COMPARATOR));
        }
    }

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
        return databases.keySet().stream().sorted(KeyOrder.COMPARATOR).toList();
    }

    @Override
    public synchronized Optional<Document> get(String db, String key) {
        return Optional.ofNullable(database(db).get(key));
    }

    @Override
    public synchronized List<Document> scan(String db, String afterKey, int limit) {
        TreeMap<String, Document> docs = database(db);
        return (afterKey == null ? docs : docs.tailMap(afterKey, false)).values().stream().limit(limit).toList();
    }

    @Override
    public synchronized long count(String db) {
        return database(db).size();
    }

    @Override
    public List<WriteResult> write(String db, List<WriteOp> ops) {
        if (!inHook.get()) {
            inHook.set(true);
            try {
                beforeEachWrite.run();
            } finally {
                inHook.set(false);
            }
        }
        synchronized (this) {
            TreeMap<String, Document> docs = new TreeMap<>(database(db));
            List<WriteResult> results = new ArrayList<>();
            for (int i = 0; i < ops.size(); i++) {
                try {
                    results.add(apply(db, docs, ops.get(i)));
                } catch (PydbException e) {
                    throw e.withDetail("index", i);
                }
            }
            databases.put(db, docs);
            return List.copyOf(results);
        }
    }

    private WriteResult apply(String db, TreeMap<String, Document> docs, WriteOp op) {
        Document existing = docs.get(op.key());
        long currentRev = existing == null ? 0 : existing.rev();
        switch (op) {
            case WriteOp.Put put -> {
                checkRev(db, put.key(), put.expectedRev(), currentRev);
                docs.put(put.key(), new Document(put.key(), currentRev + 1, put.body()));
                return WriteResult.written(put.key(), currentRev + 1);
            }
            case WriteOp.Insert insert -> {
                if (existing != null) {
                    throw PydbException.keyExists(db, insert.key());
                }
                docs.put(insert.key(), new Document(insert.key(), 1, insert.body()));
                return WriteResult.written(insert.key(), 1);
            }
            case WriteOp.Update update -> {
                if (existing == null) {
                    throw PydbException.notFound(db, update.key());
                }
                checkRev(db, update.key(), update.expectedRev(), currentRev);
                docs.put(update.key(), new Document(update.key(), currentRev + 1, update.change().apply(existing.body())));
                return WriteResult.written(update.key(), currentRev + 1);
            }
            case WriteOp.Delete delete -> {
                if (existing == null) {
                    throw PydbException.notFound(db, delete.key());
                }
                checkRev(db, delete.key(), delete.expectedRev(), currentRev);
                docs.remove(delete.key());
                return WriteResult.deleted(delete.key());
            }
        }
    }

    private void checkRev(String db, String key, long expectedRev, long currentRev) {
        if (expectedRev != ANY_REVISION && expectedRev != currentRev) {
            conflicts.incrementAndGet();
            throw PydbException.conflict(db, key, expectedRev, currentRev);
        }
    }

    private TreeMap<String, Document> database(String db) {
        open();
        TreeMap<String, Document> docs = databases.get(db);
        if (docs == null) {
            throw PydbException.dbNotFound(db);
        }
        return docs;
    }

    private void open() {
        if (closed) {
            throw new StorageClosedException("in-memory");
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
