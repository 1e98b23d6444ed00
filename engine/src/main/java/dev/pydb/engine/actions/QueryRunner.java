package dev.pydb.engine.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.PydbException;
import dev.pydb.api.query.CountResult;
import dev.pydb.api.query.Filter;
import dev.pydb.api.query.FindResult;
import dev.pydb.api.query.Query;
import dev.pydb.api.query.QueryPlan;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.Storage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one query path of FIND and COUNT, for every backend: the storage answers through its query
 * capability ({@link Storage#find}, {@link Storage#countMatching}: an index, a pushdown) when it
 * offers one for the query, otherwise the engine scans in key order and evaluates
 * {@link Filter#matches}. Both report a {@link QueryPlan}; the engine times the whole of it.
 */
final class QueryRunner {
    /** Documents read from the storage per scan call when a filter is given. */
    static final int SCAN_CHUNK = 256;

    private QueryRunner() {}

    /** One returned document with its parsed body. */
    record Match(Document document, JsonNode body) {}

    /** A FIND page: the matches, {@code next}, the plan, who answered and how long it took. */
    record Page(List<Match> matches, String next, QueryPlan plan, boolean byStorage, long nanos) {}

    /** A COUNT: the number, the plan, who answered and how long it took. */
    record Count(long count, QueryPlan plan, boolean byStorage, long nanos) {}

    static Page find(Storage storage, ObjectMapper json, String db, Query query) {
        long start = System.nanoTime();
        Optional<FindResult> answered = storage.find(db, query);
        if (answered.isPresent()) {
            FindResult result = answered.get();
            if (result.documents().size() > query.limit()) {
                throw new IllegalStateException("storage " + storage + " returned " + result.documents().size()
                        + " documents for a FIND with limit " + query.limit());
            }
            List<Match> matches = new ArrayList<>(result.documents().size());
            for (Document document : result.documents()) {
                matches.add(new Match(document, DocumentBodies.decode(json, document)));
            }
            return new Page(matches, result.next(), result.plan(), true, System.nanoTime() - start);
        }
        return scan(storage, json, db, query, start);
    }

    /** The engine's own FIND: a scan in key order, chunk by chunk (exactly what a storage's find must match). */
    private static Page scan(Storage storage, ObjectMapper json, String db, Query query, long start) {
        Filter filter = query.filter();
        int limit = query.limit();
        List<Match> matches = new ArrayList<>();
        String cursor = query.after();
        boolean moreMayFollow = false;
        long examined = 0;
        int chunk = filter.matchesAll() ? limit + 1 : Math.max(SCAN_CHUNK, Math.min(limit + 1, 4 * SCAN_CHUNK));
        scan:
        while (true) {
            List<Document> batch = storage.scan(db, cursor, chunk);
            for (Document document : batch) {
                if (matches.size() == limit) {
                    moreMayFollow = true;
                    break scan;
                }
                JsonNode body = DocumentBodies.decode(json, document);
                examined++;
                if (filter.matches(body)) {
                    matches.add(new Match(document, body));
                }
                cursor = document.key();
            }
            if (batch.size() < chunk) {
                break;
            }
        }
        String next = moreMayFollow ? matches.get(matches.size() - 1).document().key() : null;
        return new Page(matches, next, QueryPlan.fullScan(examined), false, System.nanoTime() - start);
    }

    static Count count(Storage storage, ObjectMapper json, String db, Filter filter, boolean explain) {
        long start = System.nanoTime();
        if (filter.matchesAll()) {
            long count = storage.count(db);
            return new Count(count, new QueryPlan(QueryPlan.Kind.METADATA, List.of(), 0, 0, null), true,
                    System.nanoTime() - start);
        }
        Optional<CountResult> answered = storage.countMatching(db, filter, explain);
        if (answered.isPresent()) {
            return new Count(answered.get().count(), answered.get().plan(), true, System.nanoTime() - start);
        }
        long count = 0;
        long examined = 0;
        String cursor = null;
        while (true) {
            List<Document> batch = storage.scan(db, cursor, SCAN_CHUNK);
            for (Document document : batch) {
                examined++;
                if (filter.matches(DocumentBodies.decode(json, document))) {
                    count++;
                }
            }
            if (batch.size() < SCAN_CHUNK) {
                return new Count(count, QueryPlan.fullScan(examined), false, System.nanoTime() - start);
            }
            cursor = batch.get(batch.size() - 1).key();
        }
    }

    /** The request's optional {@code explain} field: {@code true}, {@code false} or absent. */
    static boolean explain(ObjectNode request) {
        JsonNode value = request.get("explain");
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw PydbException.badRequest("field 'explain' must be true or false");
        }
        return value.booleanValue();
    }

    /**
     * The {@code explain} object of a response: {@code plan} (the {@link QueryPlan.Kind}),
     * {@code indexes}, {@code entries_examined}, {@code documents_examined}, {@code returned},
     * {@code answered_by} ({@code storage} or {@code engine}), {@code time_ms} and, if the storage
     * gave any, {@code details}.
     */
    static ObjectNode explainJson(ObjectMapper json, QueryPlan plan, boolean byStorage, long returned, long nanos) {
        ObjectNode explain = json.createObjectNode();
        explain.put("plan", plan.kind().name());
        plan.indexes().forEach(explain.putArray("indexes")::add);
        explain.put("entries_examined", plan.entriesExamined());
        explain.put("documents_examined", plan.documentsExamined());
        explain.put("returned", returned);
        explain.put("answered_by", byStorage ? "storage" : "engine");
        explain.put("time_ms", Math.round(nanos / 1_000.0) / 1_000.0);
        if (plan.details() != null) {
            explain.set("details", plan.details().deepCopy());
        }
        return explain;
    }
}
