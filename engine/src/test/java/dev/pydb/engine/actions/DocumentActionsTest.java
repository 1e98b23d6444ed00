package dev.pydb.engine.actions;

import static dev.pydb.engine.actions.ActionTesting.failure;
import static dev.pydb.engine.actions.ActionTesting.json;
import static dev.pydb.engine.actions.ActionTesting.normalized;
import static dev.pydb.engine.actions.ActionTesting.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import dev.pydb.api.storage.Document;
import dev.pydb.engine.auth.MutableClock;
import dev.pydb.storage.tck.memory.InMemoryStorage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** INSERT, GET, PUT, UPDATE and DELETE. */
class DocumentActionsTest {
    private final InMemoryStorage storage = new InMemoryStorage();
    private final FakeRequestContext context = new FakeRequestContext(storage).database("shop")
            .limits(new FakeRequestContext.TestLimits(64, 10, 100, 10));
    private final KeyGenerator keys = new KeyGenerator(new MutableClock(Instant.parse("2026-11-24T03:00:00Z")), new Random(5));

    DocumentActionsTest() {
        storage.createDatabase("shop");
    }

    @Test
    void permissions() {
        assertThat(List.of(new InsertAction(), new PutAction(), new UpdateAction(), new DeleteAction()))
                .extracting(ActionHandler::permission).containsOnly(Permission.WRITE);
        assertThat(new GetAction().permission()).isEqualTo(Permission.READ);
    }

    @Test
    void insertStoresTheDocumentAtRevOne() {
        JsonNode result = insert("{'key': 'u1', 'doc': {'name': 'Ann', 'n': 1.5}}");

        assertThat(normalized(result)).isEqualTo(json("{'key': 'u1', 'rev': 1}"));
        Document stored = storage.get("shop", "u1").orElseThrow();
        assertThat(new String(stored.body(), StandardCharsets.UTF_8)).isEqualTo("{\"name\":\"Ann\",\"n\":1.5}");
    }

    @Test
    void insertWithoutAKeyGeneratesOne() {
        JsonNode first = insert("{'doc': {'a': 1}}");
        JsonNode second = insert("{'doc': {'a': 2}}");

        String key = first.get("key").textValue();
        assertThat(key).hasSize(KeyGenerator.LENGTH);
        assertThat(first.get("rev").longValue()).isEqualTo(1);
        assertThat(second.get("key").textValue()).isGreaterThan(key);
        assertThat(storage.count("shop")).isEqualTo(2);
    }

    @Test
    void insertOfATakenKeyIsKeyExistsWithoutAnIndex() {
        insert("{'key': 'u1', 'doc': {}}");

        PydbException e = failure(() -> insert("{'key': 'u1', 'doc': {'x': 1}}"), ErrorCode.KEY_EXISTS);

        assertThat(e.details()).doesNotContainKey("index");
        assertThat(normalized(get("u1").get("doc"))).isEqualTo(json("{}"));
    }

    @Test
    void documentsMustBeObjects() {
        for (String doc : List.of("[1]", "'text'", "3", "true")) {
            assertThat(failure(() -> insert("{'key': 'u1', 'doc': " + doc + "}"), ErrorCode.BAD_REQUEST))
                    .hasMessageContaining("'doc'");
            failure(() -> put("{'key': 'u1', 'doc': " + doc + "}"), ErrorCode.BAD_REQUEST);
            assertThat(failure(() -> update("{'key': 'u1', 'patch': " + doc + "}"), ErrorCode.BAD_REQUEST))
                    .hasMessageContaining("'patch'");
        }
        failure(() -> insert("{'key': 'u1'}"), ErrorCode.BAD_REQUEST);
        failure(() -> put("{'key': 'u1', 'doc': null}"), ErrorCode.BAD_REQUEST);
        assertThat(storage.count("shop")).isZero();
    }

    @Test
    void documentsOverTheSizeLimitAreLimitExceeded() {
        String fits = "{'s': '" + "x".repeat(56) + "'}"; // {"s":"…"} = 64 bytes
        String over = "{'s': '" + "x".repeat(57) + "'}";

        insert("{'key': 'fits', 'doc': " + fits + "}");
        assertThat(failure(() -> insert("{'key': 'big', 'doc': " + over + "}"), ErrorCode.LIMIT_EXCEEDED))
                .hasMessageContaining("65 bytes").hasMessageContaining("64");
        failure(() -> put("{'key': 'big', 'doc': " + over + "}"), ErrorCode.LIMIT_EXCEEDED);
        assertThat(storage.count("shop")).isEqualTo(1);
    }

    @Test
    void keysAreValidated() {
        failure(() -> insert("{'key': '', 'doc': {}}"), ErrorCode.BAD_REQUEST);
        failure(() -> put("{'key': 7, 'doc': {}}"), ErrorCode.BAD_REQUEST);
        failure(() -> get("é".repeat(128)), ErrorCode.LIMIT_EXCEEDED);
        failure(() -> new GetAction().handle(context, request("{}")), ErrorCode.BAD_REQUEST);
        failure(() -> new DeleteAction().handle(context, request("{'key': ''}")), ErrorCode.BAD_REQUEST);
        failure(() -> update("{'patch': {}}"), ErrorCode.BAD_REQUEST);
        String longest = "é".repeat(127) + "x"; // 255 bytes
        assertThat(insert("{'key': '" + longest + "', 'doc': {}}").get("key").textValue()).isEqualTo(longest);
    }

    @Test
    void aMissingDatabaseIsDbNotFound() {
        FakeRequestContext elsewhere = new FakeRequestContext(storage).database("nope");

        failure(() -> new InsertAction(keys).handle(elsewhere, request("{'key': 'a', 'doc': {}}")), ErrorCode.DB_NOT_FOUND);
        failure(() -> new GetAction().handle(elsewhere, request("{'key': 'a'}")), ErrorCode.DB_NOT_FOUND);
        failure(() -> new PutAction().handle(elsewhere, request("{'key': 'a', 'doc': {}}")), ErrorCode.DB_NOT_FOUND);
        failure(() -> new DeleteAction().handle(elsewhere, request("{'key': 'a'}")), ErrorCode.DB_NOT_FOUND);
    }

    @Test
    void getReturnsKeyRevAndTheStoredDocument() {
        put("{'key': 'u1', 'doc': {'name': 'Ann', 'tags': ['a'], 'n': null}}");
        put("{'key': 'u1', 'doc': {'name': 'Bob', 'nested': {'x': 1.0}}}");

        assertThat(normalized(get("u1"))).isEqualTo(json("{'key': 'u1', 'rev': 2, 'doc': {'name': 'Bob', 'nested': {'x': 1.0}}}"));
    }

    @Test
    void getOfAMissingKeyIsNotFound() {
        assertThat(failure(() -> get("ghost"), ErrorCode.NOT_FOUND)).hasMessage("key 'ghost' not found in 'shop'");
    }

    @Test
    void putUpsertsAndCountsRevisions() {
        assertThat(normalized(put("{'key': 'k', 'doc': {'v': 1}}"))).isEqualTo(json("{'key': 'k', 'rev': 1}"));
        assertThat(normalized(put("{'key': 'k', 'doc': {'v': 2}}"))).isEqualTo(json("{'key': 'k', 'rev': 2}"));
        assertThat(normalized(get("k").get("doc"))).isEqualTo(json("{'v': 2}"));
    }

    @Test
    void putWithRevIsACompareAndSet() {
        assertThat(normalized(put("{'key': 'k', 'doc': {'v': 1}, 'rev': 0}"))).isEqualTo(json("{'key': 'k', 'rev': 1}"));
        PydbException again = failure(() -> put("{'key': 'k', 'doc': {'v': 9}, 'rev': 0}"), ErrorCode.CONFLICT);
        assertThat(again.details()).isEmpty();
        failure(() -> put("{'key': 'k', 'doc': {'v': 9}, 'rev': 2}"), ErrorCode.CONFLICT);
        assertThat(normalized(put("{'key': 'k', 'doc': {'v': 2}, 'rev': 1}"))).isEqualTo(json("{'key': 'k', 'rev': 2}"));
        assertThat(normalized(get("k").get("doc"))).isEqualTo(json("{'v': 2}"));
    }

    @Test
    void revMustBeANonNegativeInteger() {
        for (String rev : List.of("-1", "1.5", "'1'", "true")) {
            assertThat(failure(() -> put("{'key': 'k', 'doc': {}, 'rev': " + rev + "}"), ErrorCode.BAD_REQUEST))
                    .hasMessageContaining("'rev'");
            failure(() -> new DeleteAction().handle(context, request("{'key': 'k', 'rev': " + rev + "}")), ErrorCode.BAD_REQUEST);
        }
    }

    @Test
    void updateAppliesAMergePatch() {
        context.limits(new FakeRequestContext.TestLimits(1024, 10, 100, 10));
        put("{'key': 'u1', 'doc': {'name': 'Ann', 'address': {'city': 'Oslo', 'zip': '0150'}, 'tmp': 1}}");

        JsonNode result = update("{'key': 'u1', 'patch': {'address': {'zip': null, 'street': 'Main'}, 'tmp': null, 'age': 30}}");

        assertThat(normalized(result)).isEqualTo(json("{'key': 'u1', 'rev': 2}"));
        assertThat(normalized(get("u1").get("doc"))).isEqualTo(json(
                "{'name': 'Ann', 'address': {'city': 'Oslo', 'street': 'Main'}, 'age': 30}"));
    }

    @Test
    void updateOfAMissingKeyIsNotFound() {
        PydbException e = failure(() -> update("{'key': 'ghost', 'patch': {'a': 1}}"), ErrorCode.NOT_FOUND);

        assertThat(e.details()).isEmpty();
        assertThat(storage.count("shop")).isZero();
    }

    @Test
    void updateWithRevChecksIt() {
        put("{'key': 'k', 'doc': {'v': 1}}");

        failure(() -> update("{'key': 'k', 'patch': {'v': 2}, 'rev': 5}"), ErrorCode.CONFLICT);
        assertThat(normalized(update("{'key': 'k', 'patch': {'v': 2}, 'rev': 1}"))).isEqualTo(json("{'key': 'k', 'rev': 2}"));
        assertThat(failure(() -> update("{'key': 'k', 'patch': {'v': 3}, 'rev': 0}"), ErrorCode.BAD_REQUEST))
                .hasMessageContaining("'rev'");
        assertThat(normalized(get("k"))).isEqualTo(json("{'key': 'k', 'rev': 2, 'doc': {'v': 2}}"));
    }

    @Test
    void anUpdateThatGrowsTheDocumentOverTheLimitIsLimitExceededAndChangesNothing() {
        put("{'key': 'k', 'doc': {'v': 1}}");

        failure(() -> update("{'key': 'k', 'patch': {'s': '" + "x".repeat(60) + "'}}"), ErrorCode.LIMIT_EXCEEDED);

        assertThat(normalized(get("k"))).isEqualTo(json("{'key': 'k', 'rev': 1, 'doc': {'v': 1}}"));
    }

    @Test
    void deleteRemovesTheDocument() {
        put("{'key': 'k', 'doc': {}}");

        assertThat(normalized(new DeleteAction().handle(context, request("{'key': 'k'}"))))
                .isEqualTo(json("{'key': 'k', 'deleted': true}"));
        failure(() -> get("k"), ErrorCode.NOT_FOUND);
        failure(() -> new DeleteAction().handle(context, request("{'key': 'k'}")), ErrorCode.NOT_FOUND);
    }

    @Test
    void deleteWithRevChecksIt() {
        put("{'key': 'k', 'doc': {}}");
        put("{'key': 'k', 'doc': {}}");

        failure(() -> new DeleteAction().handle(context, request("{'key': 'k', 'rev': 1}")), ErrorCode.CONFLICT);
        new DeleteAction().handle(context, request("{'key': 'k', 'rev': 2}"));

        assertThat(storage.count("shop")).isZero();
    }

    private JsonNode insert(String request) {
        return new InsertAction(keys).handle(context, request(request));
    }

    private JsonNode put(String request) {
        return new PutAction().handle(context, request(request));
    }

    private JsonNode update(String request) {
        return new UpdateAction().handle(context, request(request));
    }

    private JsonNode get(String key) {
        return new GetAction().handle(context, request("{'key': '" + key + "'}"));
    }
}
