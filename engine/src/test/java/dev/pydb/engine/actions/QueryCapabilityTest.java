package dev.pydb.engine.actions;

import static dev.pydb.engine.actions.ActionTesting.failure;
import static dev.pydb.engine.actions.ActionTesting.json;
import static dev.pydb.engine.actions.ActionTesting.normalized;
import static dev.pydb.engine.actions.ActionTesting.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.query.Filter;
import dev.pydb.api.query.Query;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.engine.config.ServerConfig;
import dev.pydb.engine.fakes.CountingStorage;
import dev.pydb.engine.fakes.QueryingStorage;
import dev.pydb.engine.json.JsonSupport;
import dev.pydb.storage.tck.query.RandomQueries;
import dev.pydb.storage.tck.query.ScanReference;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * FIND and COUNT through the storage's query capability ({@link Storage#find},
 * {@link Storage#countMatching}) when it offers one, the engine's scan when it does not, and
 * {@code explain} for both.
 */
class QueryCapabilityTest {
    private static final ObjectMapper SERVER_JSON = JsonSupport.mapper(ServerConfig.DEFAULT_MAX_QUERY_LENGTH);

    private final QueryingStorage storage = new QueryingStorage();
    private final FakeRequestContext context = new FakeRequestContext(storage).database("shop");

    QueryCapabilityTest() {
        storage.createDatabase("shop");
    }

    @Test
    void findIsAnsweredByTheStorageWhenItOffersIt() {
        store(storage, 600);

        JsonNode page = find("{'filter': {'even': true, 'i': {'$gte': 10}}, 'limit': 3, 'after': 'k011'}");

        assertThat(normalized(page)).isEqualTo(json("{'docs': ["
                + "{'key': 'k012', 'rev': 1, 'doc': {'i': 12, 'even': true}},"
                + "{'key': 'k014', 'rev': 1, 'doc': {'i': 14, 'even': true}},"
                + "{'key': 'k016', 'rev': 1, 'doc': {'i': 16, 'even': true}}], 'next': 'k016'}"));
        assertThat(storage.findCalls()).isEqualTo(1);
        assertThat(storage.scanCalls()).as("the engine did not scan").isZero();
        Query query = storage.queries().get(0);
        assertThat(query.filter()).isEqualTo(Filter.parse(json("{'even': true, 'i': {'$gte': 10}}")));
        assertThat(query.after()).isEqualTo("k011");
        assertThat(query.limit()).isEqualTo(3);
        assertThat(query.projection()).isEmpty();
        assertThat(query.explain()).isFalse();
    }

    @Test
    void findFallsBackToTheScanWhenTheStorageDeclines() {
        store(storage, 10);
        storage.decline(true);

        JsonNode page = find("{'filter': {'even': false}, 'limit': 2}");

        assertThat(keys(page)).containsExactly("k001", "k003");
        assertThat(page.get("next").textValue()).isEqualTo("k003");
        assertThat(storage.findCalls()).isEqualTo(1);
        assertThat(storage.scanCalls()).isPositive();
    }

    @Test
    void explainOnFindShowsTheStoragesPlan() {
        store(storage, 20);

        JsonNode page = find("{'filter': {'even': true}, 'limit': 4, 'explain': true}");

        assertThat(keys(page)).containsExactly("k000", "k002", "k004", "k006");
        JsonNode explain = page.get("explain");
        assertThat(explain.get("plan").textValue()).isEqualTo("INDEX_SCAN");
        assertThat(normalized(explain.get("indexes"))).isEqualTo(json("['i']"));
        assertThat(explain.get("entries_examined").longValue()).isEqualTo(5);
        assertThat(explain.get("documents_examined").longValue()).isEqualTo(4);
        assertThat(explain.get("returned").longValue()).isEqualTo(4);
        assertThat(explain.get("answered_by").textValue()).isEqualTo("storage");
        assertThat(explain.get("time_ms").isNumber()).isTrue();
        assertThat(explain.get("time_ms").doubleValue()).isNotNegative();
        assertThat(normalized(explain.get("details"))).isEqualTo(json("{'fake': true}"));
        assertThat(storage.queries().get(0).explain()).isTrue();
    }

    @Test
    void explainOnAScanIsAFullScanCountingTheDocumentsRead() {
        CountingStorage plain = new CountingStorage();
        plain.createDatabase("shop");
        store(plain, 300);
        FakeRequestContext scanning = new FakeRequestContext(plain).database("shop");

        JsonNode page = new FindAction().handle(scanning, request("{'filter': {'i': {'$in': [5, 250]}}, 'explain': true}"));

        assertThat(keys(page)).containsExactly("k005", "k250");
        JsonNode explain = page.get("explain");
        assertThat(explain.get("plan").textValue()).isEqualTo("FULL_SCAN");
        assertThat(explain.get("indexes")).isEmpty();
        assertThat(explain.get("entries_examined").longValue()).isZero();
        assertThat(explain.get("documents_examined").longValue()).isEqualTo(300);
        assertThat(explain.get("returned").longValue()).isEqualTo(2);
        assertThat(explain.get("answered_by").textValue()).isEqualTo("engine");
        assertThat(explain.has("details")).isFalse();

        JsonNode limited = new FindAction().handle(scanning, request("{'limit': 5, 'explain': true}"));
        assertThat(limited.get("explain").get("documents_examined").longValue())
                .as("a page without a filter reads the page, not the database").isEqualTo(5);

        JsonNode count = new CountAction().handle(scanning, request("{'filter': {'even': true}, 'explain': true}"));
        assertThat(count.get("count").longValue()).isEqualTo(150);
        assertThat(count.get("explain").get("plan").textValue()).isEqualTo("FULL_SCAN");
        assertThat(count.get("explain").get("documents_examined").longValue()).isEqualTo(300);
        assertThat(count.get("explain").get("answered_by").textValue()).isEqualTo("engine");
    }

    @Test
    void withoutExplainTheResponseKeepsItsShape() {
        store(storage, 3);

        assertThat(find("{}").has("explain")).isFalse();
        assertThat(find("{'explain': false}").has("explain")).isFalse();
        assertThat(count("{'filter': {'even': true}}").isIntegralNumber()).isTrue();
        assertThat(count("{'filter': {'even': true}}").longValue()).isEqualTo(2);
        assertThat(count("{'explain': null}").longValue()).isEqualTo(3);
    }

    @Test
    void explainMustBeABoolean() {
        assertThat(failure(() -> find("{'explain': 'yes'}"), ErrorCode.BAD_REQUEST)).hasMessageContaining("explain");
        failure(() -> count("{'explain': 1}"), ErrorCode.BAD_REQUEST);
    }

    @Test
    void countIsAnsweredByTheStorageWithAFilterAndByItsCountWithout() {
        store(storage, 40);

        JsonNode counted = count("{'filter': {'i': {'$lt': 10}}, 'explain': true}");
        assertThat(counted.get("count").longValue()).isEqualTo(10);
        assertThat(counted.get("explain").get("plan").textValue()).isEqualTo("INDEX_SCAN");
        assertThat(counted.get("explain").get("answered_by").textValue()).isEqualTo("storage");
        assertThat(storage.countCalls()).isEqualTo(1);
        assertThat(storage.scanCalls()).isZero();

        JsonNode all = count("{'explain': true}");
        assertThat(all.get("count").longValue()).isEqualTo(40);
        assertThat(all.get("explain").get("plan").textValue()).isEqualTo("METADATA");
        assertThat(all.get("explain").get("documents_examined").longValue()).isZero();
        assertThat(storage.countCalls()).as("no filter: the storage's own count, as before").isEqualTo(1);

        storage.decline(true);
        assertThat(count("{'filter': {'i': {'$lt': 10}}}").longValue()).isEqualTo(10);
        assertThat(storage.scanCalls()).isPositive();
    }

    @Test
    void aStorageReturningMoreThanTheLimitIsAnInternalFailureNotALongPage() {
        store(storage, 10);
        storage.overfill(1);

        assertThatThrownBy(() -> find("{'limit': 2}"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("limit 2");
    }

    @Test
    void aMissingDatabaseIsStillDbNotFoundOnBothPaths() {
        FakeRequestContext elsewhere = new FakeRequestContext(new CountingStorage()).database("nope");
        failure(() -> new FindAction().handle(elsewhere, request("{'explain': true}")), ErrorCode.DB_NOT_FOUND);
        failure(() -> new CountAction().handle(elsewhere, request("{'filter': {'a': 1}, 'explain': true}")),
                ErrorCode.DB_NOT_FOUND);
    }

    /**
     * On random documents and filters: every page of a FIND walk (random limits, following
     * {@code next}) and every COUNT are the same whether the storage answers or the engine scans,
     * and both are the kit's {@link ScanReference}. Seeded; a failure names the seed.
     */
    @Test
    void storageAndScanAnswersAreTheSameOnRandomQueries() {
        for (long seed = 1; seed <= 25; seed++) {
            RandomQueries random = new RandomQueries(seed);
            QueryingStorage answering = new QueryingStorage();
            CountingStorage scanning = new CountingStorage();
            answering.createDatabase("r");
            scanning.createDatabase("r");
            List<WriteOp> ops = new ArrayList<>();
            int documents = 50 + (int) (seed * 13 % 400);
            for (int i = 0; i < documents; i++) {
                ops.add(new WriteOp.Put(random.key(i), random.document(), Storage.ANY_REVISION));
            }
            answering.write("r", ops);
            scanning.write("r", ops);
            FakeRequestContext byStorage = new FakeRequestContext(answering, SERVER_JSON).database("r");
            FakeRequestContext byEngine = new FakeRequestContext(scanning, SERVER_JSON).database("r");

            for (int q = 0; q < 20; q++) {
                ObjectNode filter = random.filterJson(2);
                int limit = 1 + (int) ((seed * 31 + q * 7) % 40);
                String context = "seed " + seed + ", filter " + filter + ", limit " + limit;
                String after = null;
                int pages = 0;
                do {
                    ObjectNode request = SERVER_JSON.createObjectNode();
                    request.set("filter", filter);
                    request.put("limit", limit);
                    if (after != null) {
                        request.put("after", after);
                    }
                    JsonNode fromStorage = new FindAction().handle(byStorage, request.deepCopy());
                    JsonNode fromEngine = new FindAction().handle(byEngine, request.deepCopy());
                    assertThat(fromStorage).as(context + ", after " + after).isEqualTo(fromEngine);
                    ScanReference.Page reference = ScanReference.find(scanning, "r",
                            Query.of(Filter.parse(filter), after, limit));
                    assertThat(keys(fromEngine)).as(context + ", after " + after)
                            .isEqualTo(reference.documents().stream().map(Document::key).toList());
                    assertThat(fromEngine.get("next").isNull() ? null : fromEngine.get("next").textValue())
                            .as(context + ", after " + after).isEqualTo(reference.next());
                    after = reference.next();
                    pages++;
                } while (after != null && pages < 1000);

                ObjectNode countRequest = SERVER_JSON.createObjectNode();
                countRequest.set("filter", filter);
                long expected = ScanReference.count(scanning, "r", Filter.parse(filter));
                assertThat(new CountAction().handle(byStorage, countRequest.deepCopy()).longValue()).as(context).isEqualTo(expected);
                assertThat(new CountAction().handle(byEngine, countRequest.deepCopy()).longValue()).as(context).isEqualTo(expected);
            }
            assertThat(answering.scanCalls()).as("seed " + seed + ": the answering storage was never scanned by the engine").isZero();
        }
    }

    private static void store(Storage target, int n) {
        List<WriteOp> ops = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String body = "{\"i\":" + i + ",\"even\":" + (i % 2 == 0) + "}";
            ops.add(new WriteOp.Insert(String.format("k%03d", i), body.getBytes(StandardCharsets.UTF_8)));
        }
        target.write("shop", ops);
    }

    private JsonNode find(String text) {
        return new FindAction().handle(context, request(text));
    }

    private JsonNode count(String text) {
        return new CountAction().handle(context, request(text));
    }

    private static List<String> keys(JsonNode page) {
        List<String> keys = new ArrayList<>();
        page.get("docs").forEach(doc -> keys.add(doc.get("key").textValue()));
        return keys;
    }
}
