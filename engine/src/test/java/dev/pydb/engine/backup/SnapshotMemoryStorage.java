package dev.pydb.engine.backup;

import dev.pydb.api.PydbException;
import dev.pydb.api.query.FieldPath;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.DocumentImporter;
import dev.pydb.api.storage.IndexInfo;
import dev.pydb.api.storage.IndexSpec;
import dev.pydb.api.storage.Indexes;
import dev.pydb.api.storage.KeyOrder;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageSnapshot;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.api.storage.WriteResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;

/**
 * A small in-memory storage with revisions, a snapshot (a deep copy taken under the lock), an
 * importer and index definitions: what backups and restores need, for the engine's own tests.
 */
public final class SnapshotMemoryStorage implements Storage {
    private final Map<String, TreeMap<String, Document>> databases = new TreeMap<>(KeyOrder.COMPARATOR);
    private final Map<String, List<IndexSpec>> indexes = new TreeMap<>();
    private final boolean withIndexes;
    /** When set, a snapshot's scan waits for it (to hold a backup running). */
    volatile CountDownLatch scanGate;

    public SnapshotMemoryStorage(boolean withIndexes) {
        this.withIndexes = withIndexes;
    }

    @Override
    public synchronized void createDatabase(String db) {
        if (databases.putIfAbsent(db, new TreeMap<>(KeyOrder.COMPARATOR)) != null) {
            throw PydbException.dbExists(db);
        }
        indexes.put(db, new ArrayList<>());
    }

    @Override
    public synchronized void dropDatabase(String db) {
        if (databases.remove(db) == null) {
            throw PydbException.dbNotFound(db);
        }
        indexes.remove(db);
    }

    @Override
    public synchronized List<String> listDatabases() {
        return List.copyOf(databases.keySet());
    }

    @Override
    public synchronized Optional<Document> get(String db, String key) {
        return Optional.ofNullable(db(db).get(key));
    }

    @Override
    public synchronized List<Document> scan(String db, String afterKey, int limit) {
        return page(db(db), afterKey, limit);
    }

    private static List<Document> page(TreeMap<String, Document> documents, String afterKey, int limit) {
        return (afterKey == null ? documents : documents.tailMap(afterKey, false)).values().stream().limit(limit).toList();
    }

    @Override
    public synchronized long count(String db) {
        return db(db).size();
    }

    @Override
    public synchronized List<WriteResult> write(String db, List<WriteOp> ops) {
        TreeMap<String, Document> documents = db(db);
        List<WriteResult> results = new ArrayList<>();
        for (WriteOp op : ops) {
            if (op instanceof WriteOp.Put put) {
                Document old = documents.get(put.key());
                long rev = old == null ? 1 : old.rev() + 1;
                documents.put(put.key(), new Document(put.key(), rev, put.body()));
                results.add(new WriteResult(put.key(), rev, false));
            } else {
                throw new UnsupportedOperationException(op.toString());
            }
        }
        return results;
    }

    private TreeMap<String, Document> db(String db) {
        TreeMap<String, Document> documents = databases.get(db);
        if (documents == null) {
            throw PydbException.dbNotFound(db);
        }
        return documents;
    }

    @Override
    public synchronized Optional<StorageSnapshot> snapshot() {
        Map<String, TreeMap<String, Document>> copy = new TreeMap<>(KeyOrder.COMPARATOR);
        databases.forEach((db, documents) -> copy.put(db, new TreeMap<>(documents)));
        Map<String, List<IndexSpec>> indexCopy = new TreeMap<>();
        indexes.forEach((db, specs) -> indexCopy.put(db, List.copyOf(specs)));
        return Optional.of(new StorageSnapshot() {
            @Override
            public List<String> listDatabases() {
                return List.copyOf(copy.keySet());
            }

            @Override
            public List<Document> scan(String db, String afterKey, int limit) {
                CountDownLatch gate = scanGate;
                if (gate != null) {
                    try {
                        gate.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new PydbException(dev.pydb.api.ErrorCode.UNAVAILABLE, "interrupted");
                    }
                }
                return page(copy.get(db), afterKey, limit);
            }

            @Override
            public long count(String db) {
                return copy.get(db).size();
            }

            @Override
            public List<IndexSpec> indexes(String db) {
                return indexCopy.getOrDefault(db, List.of());
            }

            @Override
            public void close() {}
        });
    }

    @Override
    public Optional<DocumentImporter> importer() {
        return Optional.of((db, documents) -> {
            synchronized (this) {
                TreeMap<String, Document> target = db(db);
                for (Document document : documents) {
                    if (target.containsKey(document.key())) {
                        throw PydbException.keyExists(db, document.key());
                    }
                }
                documents.forEach(document -> target.put(document.key(), document));
            }
        });
    }

    @Override
    public Optional<Indexes> indexes() {
        if (!withIndexes) {
            return Optional.empty();
        }
        return Optional.of(new Indexes() {
            @Override
            public IndexInfo create(String db, IndexSpec spec) {
                synchronized (SnapshotMemoryStorage.this) {
                    db(db);
                    indexes.get(db).add(spec);
                }
                return null;
            }

            @Override
            public void drop(String db, FieldPath field) {
                throw new UnsupportedOperationException();
            }

            @Override
            public List<IndexInfo> list(String db) {
                throw new UnsupportedOperationException();
            }
        });
    }

    /** The index definitions created on {@code db}. */
    public synchronized List<IndexSpec> indexSpecs(String db) {
        return List.copyOf(indexes.get(db));
    }

    /** Every document of every database, for comparisons. */
    public synchronized Map<String, List<Document>> contents() {
        Map<String, List<Document>> all = new TreeMap<>(KeyOrder.COMPARATOR);
        databases.forEach((db, documents) -> all.put(db, List.copyOf(documents.values())));
        return all;
    }

    @Override
    public void close() {}
}
