package dev.pydb.engine.actions;

import static dev.pydb.engine.actions.ActionTesting.failure;
import static dev.pydb.engine.actions.ActionTesting.json;
import static dev.pydb.engine.actions.ActionTesting.normalized;
import static dev.pydb.engine.actions.ActionTesting.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.action.Permission;
import dev.pydb.engine.auth.MutableClock;
import dev.pydb.engine.fakes.CountingStorage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BatchActionTest {
    private final CountingStorage storage = new CountingStorage();
    private final FakeRequestContext context = new FakeRequestContext(storage).database("shop")
            .limits(new FakeRequestContext.TestLimits(64, 4, 100, 10));
    private final BatchAction batch = new BatchAction(
            new KeyGenerator(new MutableClock(Instant.parse("2026-11-24T03:00:00Z")), new Random(9)));

    BatchActionTest() {
        storage.createDatabase("shop");
        storage.put("shop", "a", "{\"v\":1}".getBytes(StandardCharsets.UTF_8), -1);
    }

    @Test
    void appliesAllOpsInOneWriteWithOneResultEach() {
        int writesBefore = storage.writeCalls();
        assertThat(batch.permission()).isEqualTo(Permission.WRITE);

        JsonNode result = batch.handle(context, request("""
                {'ops': [
                  {'action': 'UPDATE', 'key': 'a', 'patch': {'w': 2}, 'rev': 1},
                  {'action': 'put', 'key': 'b', 'doc': {'v': 1}},
                  {'action': 'INSERT', 'key': 'c', 'doc': {}},
                  {'action': 'Delete', 'key': 'a', 'rev': 2}
                ]}"""));

        assertThat(normalized(result)).isEqualTo(json("""
                {'results': [{'key': 'a', 'rev': 2}, {'key': 'b', 'rev': 1}, {'key': 'c', 'rev': 1},
                             {'key': 'a', 'deleted': true}]}"""));
        assertThat(storage.writeCalls()).isEqualTo(writesBefore + 1);
        assertThat(storage.listDatabases()).containsExactly("shop");
        assertThat(storage.get("shop", "a")).isEmpty();
        assertThat(storage.count("shop")).isEqualTo(2);
    }

    @Test
    void insertMayOmitTheKey() {
        JsonNode result = batch.handle(context, request("{'ops': [{'action': 'INSERT', 'doc': {'x': 1}}, {'action': 'INSERT', 'doc': {'x': 2}}]}"));

        String first = result.get("results").get(0).get("key").textValue();
        String second = result.get("results").get(1).get("key").textValue();
        assertThat(first).hasSize(KeyGenerator.LENGTH).isNotEqualTo(second);
        assertThat(storage.count("shop")).isEqualTo(3);
    }

    @Test
    void aFailingOpFailsTheWholeBatchWithItsIndex() {
        PydbException e = failure(() -> batch.handle(context, request("""
                {'ops': [
                  {'action': 'PUT', 'key': 'b', 'doc': {'v': 1}},
                  {'action': 'PUT', 'key': 'a', 'doc': {'v': 5}},
                  {'action': 'INSERT', 'key': 'b', 'doc': {}}
                ]}""")), ErrorCode.KEY_EXISTS);

        assertThat(e.details()).containsEntry("index", 2);
        assertThat(storage.get("shop", "b")).isEmpty();
        assertThat(new String(storage.get("shop", "a").orElseThrow().body(), StandardCharsets.UTF_8)).isEqualTo("{\"v\":1}");
    }

    @Test
    void aConflictOrMissingDocumentCarriesItsIndex() {
        assertThat(failure(() -> batch.handle(context, request(
                "{'ops': [{'action': 'DELETE', 'key': 'a', 'rev': 7}]}")), ErrorCode.CONFLICT).details())
                .containsEntry("index", 0);
        assertThat(failure(() -> batch.handle(context, request(
                "{'ops': [{'action': 'PUT', 'key': 'x', 'doc': {}}, {'action': 'UPDATE', 'key': 'ghost', 'patch': {}}]}")),
                ErrorCode.NOT_FOUND).details()).containsEntry("index", 1);
        assertThat(storage.count("shop")).isEqualTo(1);
    }

    @Test
    void anOpWhosePatchOverflowsTheDocumentLimitFailsWithItsIndex() {
        PydbException e = failure(() -> batch.handle(context, request(
                "{'ops': [{'action': 'PUT', 'key': 'b', 'doc': {}}, {'action': 'UPDATE', 'key': 'a', 'patch': {'s': '"
                        + "x".repeat(70) + "'}}]}")), ErrorCode.LIMIT_EXCEEDED);

        assertThat(e.details()).containsEntry("index", 1);
        assertThat(storage.count("shop")).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            {'action': 'PUT', 'key': 'b', 'doc': [1]}           | BAD_REQUEST    | 'doc'
            {'action': 'PUT', 'doc': {}}                        | BAD_REQUEST    | 'key'
            {'action': 'PUT', 'key': '', 'doc': {}}             | BAD_REQUEST    | key
            {'action': 'UPDATE', 'key': 'a'}                    | BAD_REQUEST    | 'patch'
            {'action': 'UPDATE', 'key': 'a', 'patch': {}, 'rev': 0} | BAD_REQUEST | 'rev'
            {'action': 'DELETE', 'key': 'a', 'rev': -2}         | BAD_REQUEST    | 'rev'
            {'action': 'GET', 'key': 'a'}                       | BAD_REQUEST    | unknown batch action 'GET'
            {'key': 'a'}                                        | BAD_REQUEST    | 'action'
            'PUT'                                               | BAD_REQUEST    | must be an object
            {'action': 'INSERT', 'doc': {'s': 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'}} | LIMIT_EXCEEDED | 64
            """)
    void anInvalidOpFailsTheBatchBeforeAnyWriteWithItsIndex(String badOp, ErrorCode code, String message) {
        int writesBefore = storage.writeCalls();

        PydbException e = failure(() -> batch.handle(context, request(
                "{'ops': [{'action': 'PUT', 'key': 'b', 'doc': {}}, " + badOp + "]}")), code);

        assertThat(e).hasMessageContaining(message);
        assertThat(e.details()).containsEntry("index", 1);
        assertThat(storage.writeCalls()).isEqualTo(writesBefore);
        assertThat(storage.get("shop", "b")).isEmpty();
    }

    @Test
    void opsMustBeANonEmptyArrayWithinTheLimit() {
        failure(() -> batch.handle(context, request("{}")), ErrorCode.BAD_REQUEST);
        failure(() -> batch.handle(context, request("{'ops': {'action': 'PUT'}}")), ErrorCode.BAD_REQUEST);
        failure(() -> batch.handle(context, request("{'ops': []}")), ErrorCode.BAD_REQUEST);
        PydbException tooMany = failure(() -> batch.handle(context, request("{'ops': ["
                + "{'action': 'DELETE', 'key': 'a'},".repeat(4) + "{'action': 'DELETE', 'key': 'a'}]}")),
                ErrorCode.LIMIT_EXCEEDED);
        assertThat(tooMany).hasMessageContaining("5").hasMessageContaining("4");
        assertThat(tooMany.details()).doesNotContainKey("index");
    }

    @Test
    void aMissingDatabaseIsDbNotFound() {
        failure(() -> batch.handle(new FakeRequestContext(storage).database("nope"),
                request("{'ops': [{'action': 'PUT', 'key': 'b', 'doc': {}}]}")), ErrorCode.DB_NOT_FOUND);
    }
}
