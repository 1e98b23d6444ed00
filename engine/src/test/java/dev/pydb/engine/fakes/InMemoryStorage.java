package dev.pydb.engine.fakes;

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

/** A small, fully synchronized in-memory {@link Storage} for engine tests. */
public final class InMemoryStorage implements Storage {
    private final Map<String, NavigableMap<String, Document>> databases = new TreeMap<>(KeyOrder.COMPARATOR);
    private boolean closed;
    private int writeCalls;

    @Override
    public synchronized void createDatabase(String db) {
        checkOpen();
        if (databases.putIfAbsent(db, new TreeMap<>(KeyOrder.COMPARATOR)) != null) {
            throw PydbException.dbExists(db);
        }
    }

    @Override
    public synchronized void dropDatabase(String db) {
        checkOpen();
        if (databases.remove(db) == null) {
            throw PydbException.dbNotFound(db);
        }
    }

    @Override
    public synchronized List<String> listDatabases() {
        checkOpen();
        return List.copyOf(databases.keySet());
    }

    @Override
    public synchronized Optional<Document> get(String db, String key) {
        return Optional.ofNullable(database(db).get(key));
    }

    @Override
    public synchronized List<Document> scan(String db, String afterKey, int limit) {
        NavigableMap<String, Document> docs = database(db);
        return (afterKey == null ? docs : docs.tailMap(afterKey, false)).values().stream().limit(limit).toList();
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
        for (WriteOp op : ops) {
            Document current = copy.get(op.key());
            switch (op) {
                case WriteOp.Insert insert -> {
                    if (current != null) {
                        throw PydbException.keyExists(db, op.key());
                    }
                    copy.put(op.key(), new Document(op.key(), 1, insert.body()));
                    results.add(WriteResult.written(op.key(), 1));
                }
                case WriteOp.Put put -> {
                    long rev = current == null ? 1 : current.rev() + 1;
                    copy.put(op.key(), new Document(op.key(), rev, put.body()));
                    results.add(WriteResult.written(op.key(), rev));
                }
                case WriteOp.Update update -> {
                    if (current == null) {
                        throw PydbException.notFound(db, op.key());
                    }
                    copy.put(op.key(), new Document(op.key(), current.rev() + 1, update.change().apply(current.body())));
                    results.add(WriteResult.written(op.key(), current.rev() + 1));
                }
                case WriteOp.Delete delete -> {
                    if (current == null) {
                        throw PydbException.notFound(db, op.key());
                    }
                    copy.remove(op.key());
                    results.add(WriteResult.deleted(op.key()));
                }
            }
        }
        databases.put(db, copy);
        return results;
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /** How many times {@link #write} was called. */
    public synchronized int writeCalls() {
        return writeCalls;
    }

    private NavigableMap<String, Document> database(String db) {
        checkOpen();
        NavigableMap<String, Document> docs = databases.get(db);
        if (docs == null) {
            throw PydbException.dbNotFound(db);
        }
        return docs;
    }

    private void checkOpen() {
        if (closed) {
            throw new StorageClosedException("memory");
        }
    }
}
