package dev.pydb.engine.actions;

import static dev.pydb.engine.actions.ActionTesting.failure;
import static dev.pydb.engine.actions.ActionTesting.json;
import static dev.pydb.engine.actions.ActionTesting.normalized;
import static dev.pydb.engine.actions.ActionTesting.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.action.Permission;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.engine.fakes.CountingStorage;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** FIND and COUNT. */
class FindCountActionTest {
    private final CountingStorage storage = new CountingStorage();
    private final FakeRequestContext context = new FakeRequestContext(storage).database("shop")
            .limits(new FakeRequestContext.TestLimits(1024, 10, 50, 20));

    FindCountActionTest() {
        storage.createDatabase("shop");
    }

    @Test
    void permissions() {
        assertThat(new FindAction().permission()).isEqualTo(Permission.READ);
        assertThat(new CountAction().permission()).isEqualTo(Permission.READ);
    }

    @Test
    void findReturnsDocumentsInKeyOrderWithTheDefaultLimit() {
        store(30);

        JsonNode page = find("{}");

        assertThat(keys(page)).hasSize(20).isEqualTo(expectedKeys(0, 20));
        assertThat(normalized(page.get("docs").get(0))).isEqualTo(json("{'key': 'k000', 'rev': 1, 'doc': {'i': 0, 'even': true}}"));
        assertThat(page.get("next").textValue()).isEqualTo("k019");
    }

    @Test
    void pagesWithAfterWalkTheWholeDatabaseOnce() {
        store(23);

        List<String> seen = new ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            JsonNode page = find(after == null ? "{'limit': 5}" : "{'limit': 5, 'after': '" + after + "'}");
            seen.addAll(keys(page));
            after = page.get("next").isNull() ? null : page.get("next").textValue();
            pages++;
        } while (after != null);

        assertThat(seen).isEqualTo(expectedKeys(0, 23));
        assertThat(pages).isEqualTo(5);
    }

    @Test
    void nextIsNullWhenTheLastPageIsExactlyFull() {
        store(10);

        JsonNode page = find("{'limit': 10}");

        assertThat(keys(page)).hasSize(10);
        assertThat(page.get("next").isNull()).isTrue();
    }

    @Test
    void anEmptyDatabaseGivesAnEmptyPage() {
        assertThat(normalized(find("{}"))).isEqualTo(json("{'docs': [], 'next': null}"));
    }

    @Test
    void aFilterKeepsOnlyMatchingDocumentsAcrossScanChunks() {
        int total = FindAction.SCAN_CHUNK * 2 + 10;
        store(total);
        FakeRequestContext big = context.limits(new FakeRequestContext.TestLimits(1024, 10, 10_000, 100));

        JsonNode all = new FindAction().handle(big, request("{'filter': {'i': {'$gte': 5, '$lt': " + (total - 3) + "}}, 'limit': 10000}"));
        assertThat(keys(all)).isEqualTo(expectedKeys(5, total - 3));
        assertThat(all.get("next").isNull()).isTrue();

        JsonNode firstEvens = new FindAction().handle(big, request("{'filter': {'even': true}, 'limit': 200}"));
        assertThat(keys(firstEvens)).hasSize(200).allSatisfy(k -> assertThat(Integer.parseInt(k.substring(1)) % 2).isZero());
        assertThat(firstEvens.get("next").textValue()).isEqualTo(String.format("k%03d", 398));

        JsonNode rest = new FindAction().handle(big, request("{'filter': {'even': true}, 'limit': 200, 'after': 'k398'}"));
        assertThat(keys(rest)).hasSize(total / 2 - 200);
        assertThat(rest.get("next").isNull()).isTrue();
    }

    @Test
    void aFilterMatchingNothingScansEverythingAndEndsTheWalk() {
        store(FindAction.SCAN_CHUNK + 1);

        assertThat(normalized(find("{'filter': {'i': -1}}"))).isEqualTo(json("{'docs': [], 'next': null}"));
    }

    @Test
    void limitIsValidated() {
        store(3);

        assertThat(failure(() -> find("{'limit': 51}"), ErrorCode.LIMIT_EXCEEDED)).hasMessageContaining("50");
        failure(() -> find("{'limit': 0}"), ErrorCode.BAD_REQUEST);
        failure(() -> find("{'limit': -3}"), ErrorCode.BAD_REQUEST);
        failure(() -> find("{'limit': 2.5}"), ErrorCode.BAD_REQUEST);
        failure(() -> find("{'limit': '10'}"), ErrorCode.BAD_REQUEST);
        failure(() -> new FindAction().handle(context, request("{}").put("limit", new BigInteger("99999999999999999999"))),
                ErrorCode.LIMIT_EXCEEDED);
        failure(() -> new FindAction().handle(context, request("{}").put("limit", new BigInteger("-99999999999999999999"))),
                ErrorCode.BAD_REQUEST);
        assertThat(keys(find("{'limit': 50}"))).hasSize(3);
    }

    @Test
    void afterAndFilterAreValidated() {
        failure(() -> find("{'after': 5}"), ErrorCode.BAD_REQUEST);
        assertThat(failure(() -> find("{'filter': {'a': {'$near': 1}}}"), ErrorCode.BAD_REQUEST)).hasMessageContaining("$near");
        assertThat(failure(() -> count("{'filter': [1]}"), ErrorCode.BAD_REQUEST)).hasMessageContaining("filter");
    }

    @Test
    void aMissingDatabaseIsDbNotFound() {
        FakeRequestContext elsewhere = new FakeRequestContext(storage).database("nope");

        failure(() -> new FindAction().handle(elsewhere, request("{}")), ErrorCode.DB_NOT_FOUND);
        failure(() -> new CountAction().handle(elsewhere, request("{}")), ErrorCode.DB_NOT_FOUND);
        failure(() -> new CountAction().handle(elsewhere, request("{'filter': {'a': 1}}")), ErrorCode.DB_NOT_FOUND);
    }

    @Test
    void countWithoutAFilterUsesTheStorageCount() {
        store(FindAction.SCAN_CHUNK + 5);
        int scansBefore = storage.scanCalls();

        assertThat(count("{}").longValue()).isEqualTo(FindAction.SCAN_CHUNK + 5);
        assertThat(storage.scanCalls()).isEqualTo(scansBefore);
    }

    @Test
    void countWithAFilterCountsMatchesAcrossChunks() {
        int total = FindAction.SCAN_CHUNK * 2;
        store(total);

        assertThat(count("{'filter': {'even': false}}").longValue()).isEqualTo(total / 2);
        assertThat(count("{'filter': {'i': {'$in': [1, 2, 511, 512]}}}").longValue()).isEqualTo(3);
        assertThat(count("{'filter': {'missing': {'$exists': true}}}").longValue()).isZero();
    }

    private void store(int n) {
        List<WriteOp> ops = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String body = "{\"i\":" + i + ",\"even\":" + (i % 2 == 0) + "}";
            ops.add(new WriteOp.Insert(String.format("k%03d", i), body.getBytes(StandardCharsets.UTF_8)));
        }
        storage.write("shop", ops);
    }

    private JsonNode find(String request) {
        return new FindAction().handle(context, request(request));
    }

    private JsonNode count(String request) {
        return new CountAction().handle(context, request(request));
    }

    private static List<String> keys(JsonNode page) {
        List<String> keys = new ArrayList<>();
        page.get("docs").forEach(d -> keys.add(d.get("key").textValue()));
        return keys;
    }

    private static List<String> expectedKeys(int from, int to) {
        List<String> keys = new ArrayList<>();
        for (int i = from; i < to; i++) {
            keys.add(String.format("k%03d", i));
        }
        return keys;
    }
}
