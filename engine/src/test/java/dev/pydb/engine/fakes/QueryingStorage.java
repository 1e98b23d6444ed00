package dev.pydb.engine.fakes;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.query.CountResult;
import dev.pydb.api.query.FieldPath;
import dev.pydb.api.query.Filter;
import dev.pydb.api.query.FindResult;
import dev.pydb.api.query.Query;
import dev.pydb.api.query.QueryPlan;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.IndexInfo;
import dev.pydb.api.storage.IndexSpec;
import dev.pydb.api.storage.Indexes;
import dev.pydb.api.storage.KeyOrder;
import dev.pydb.storage.tck.memory.ForwardingStorage;
import dev.pydb.storage.tck.memory.InMemoryStorage;
import dev.pydb.storage.tck.query.ScanReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A storage that answers FIND and COUNT itself, as an index or a pushdown would: with the kit's
 * {@link ScanReference} over the kit's {@link InMemoryStorage} (so the answer is the right one), a
 * plan of kind {@code INDEX_SCAN} on a pretend index {@code "i"} with details {@code {"fake": true}},
 * and counts of its calls. {@link #decline} makes it return empty (the engine then scans), and
 * {@link #indexes} is a recording fake whose specs the test reads back.
 */
public final class QueryingStorage extends ForwardingStorage {
    private final AtomicInteger findCalls = new AtomicInteger();
    private final AtomicInteger countCalls = new AtomicInteger();
    private final AtomicInteger scanCalls = new AtomicInteger();
    private final List<Query> queries = new ArrayList<>();
    private final FakeIndexes indexes = new FakeIndexes();
    private volatile boolean decline;
    private volatile int extraDocuments;

    public QueryingStorage() {
        super(new InMemoryStorage());
    }

    /** From now on find and countMatching answer empty (or again answer, with {@code false}). */
    public QueryingStorage decline(boolean decline) {
        this.decline = decline;
        return this;
    }

    /** A broken storage: its find returns this many documents more than the limit allows. */
    public QueryingStorage overfill(int extra) {
        this.extraDocuments = extra;
        return this;
    }

    @Override
    public Optional<FindResult> find(String db, Query query) {
        findCalls.incrementAndGet();
        synchronized (queries) {
            queries.add(query);
        }
        if (decline) {
            return Optional.empty();
        }
        ScanReference.Page page = ScanReference.find(delegate(), db, query);
        List<Document> documents = new ArrayList<>(page.documents());
        if (extraDocuments > 0) {
            documents.addAll(delegate().scan(db, null, query.limit() + extraDocuments).subList(0, extraDocuments));
        }
        return Optional.of(new FindResult(documents, page.next(), plan(documents.size())));
    }

    @Override
    public Optional<CountResult> countMatching(String db, Filter filter, boolean explain) {
        countCalls.incrementAndGet();
        if (decline) {
            return Optional.empty();
        }
        long count = ScanReference.count(delegate(), db, filter);
        return Optional.of(new CountResult(count, plan(count)));
    }

    private static QueryPlan plan(long n) {
        return new QueryPlan(QueryPlan.Kind.INDEX_SCAN, List.of("i"), n + 1, n,
                JsonNodeFactory.instance.objectNode().put("fake", true));
    }

    @Override
    public List<Document> scan(String db, String afterKey, int limit) {
        scanCalls.incrementAndGet();
        return super.scan(db, afterKey, limit);
    }

    @Override
    public Optional<Indexes> indexes() {
        return Optional.of(indexes);
    }

    /** Calls of find, countMatching and scan (the ScanReference's own scans go to the delegate, not counted). */
    public int findCalls() {
        return findCalls.get();
    }

    public int countCalls() {
        return countCalls.get();
    }

    public int scanCalls() {
        return scanCalls.get();
    }

    /** The queries find was called with, in order. */
    public List<Query> queries() {
        synchronized (queries) {
            return List.copyOf(queries);
        }
    }

    public FakeIndexes fakeIndexes() {
        return indexes;
    }

    /** Indexes kept in a map: create records the spec, READY at once; same spec again returns it; another is CONFLICT. */
    public final class FakeIndexes implements Indexes {
        private final Map<String, TreeMap<String, IndexInfo>> byDb = new ConcurrentHashMap<>();
        private volatile IndexInfo.State stateOnCreate = IndexInfo.State.READY;

        public FakeIndexes stateOnCreate(IndexInfo.State state) {
            this.stateOnCreate = requireNonNull(state);
            return this;
        }

        @Override
        public synchronized IndexInfo create(String db, IndexSpec spec) {
            TreeMap<String, IndexInfo> indexes = indexesOf(db);
            IndexInfo existing = indexes.get(spec.field().dotted());
            if (existing != null) {
                if (existing.spec().equals(spec)) {
                    return existing;
                }
                throw new PydbException(ErrorCode.CONFLICT, "index on '" + spec.field() + "' exists with other options");
            }
            long count = delegate().count(db);
            IndexInfo info = stateOnCreate == IndexInfo.State.READY
                    ? new IndexInfo(spec, IndexInfo.State.READY, count, count, count, 0, null)
                    : new IndexInfo(spec, stateOnCreate, 0, 0, count, 0, stateOnCreate == IndexInfo.State.FAILED ? "duplicate" : null);
            indexes.put(spec.field().dotted(), info);
            return info;
        }

        @Override
        public synchronized void drop(String db, FieldPath field) {
            if (indexesOf(db).remove(field.dotted()) == null) {
                throw new PydbException(ErrorCode.NOT_FOUND, "no index on '" + field + "' in '" + db + "'");
            }
        }

        @Override
        public synchronized List<IndexInfo> list(String db) {
            return List.copyOf(indexesOf(db).values());
        }

        private TreeMap<String, IndexInfo> indexesOf(String db) {
            if (!delegate().databaseExists(db)) {
                throw PydbException.dbNotFound(db);
            }
            return byDb.computeIfAbsent(db, d -> new TreeMap<>(KeyOrder::compare));
        }
    }

    @Override
    public String toString() {
        return "QueryingStorage";
    }
}
