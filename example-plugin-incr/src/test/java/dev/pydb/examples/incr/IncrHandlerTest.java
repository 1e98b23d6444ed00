package dev.pydb.examples.incr;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.Storage;
import dev.pydb.storage.tck.memory.InMemoryStorage;
import java.math.BigInteger;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class IncrHandlerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RacingStorage storage = new RacingStorage(InMemoryStorage.withDatabases("shop"));
    private final FakeRequestContext context = new FakeRequestContext(storage, "shop");
    private final IncrHandler handler = new IncrHandler();

    @Test
    void isTheWriteActionIncrListedAsAService() {
        assertThat(handler.action()).isEqualTo("INCR");
        assertThat(handler.permission()).isEqualTo(Permission.WRITE);
        // Only this module's services: the engine (test scope, for IncrPluginIT) lists its built-in actions too.
        CodeSource plugin = IncrHandler.class.getProtectionDomain().getCodeSource();
        assertThat(ServiceLoader.load(ActionHandler.class).stream().map(ServiceLoader.Provider::type)
                .filter(type -> plugin.equals(type.getProtectionDomain().getCodeSource())))
                .containsExactly(IncrHandler.class);
    }

    @Test
    void missingDocumentCountsAsZeroAndByDefaultsToOne() {
        JsonNode result = handler.handle(context, request("{'key': 'c', 'field': 'hits'}"));

        assertJson(result, json("{'key': 'c', 'rev': 1, 'value': 1}"));
        assertJson(stored("c"), json("{'hits': 1}"));
    }

    @Test
    void addsToTheFieldKeepingTheOtherFields() {
        storage.put("shop", "c", bytes("{'name': 'x', 'hits': 40}"), 0);

        JsonNode result = handler.handle(context, request("{'key': 'c', 'field': 'hits', 'by': 2}"));

        assertJson(result, json("{'key': 'c', 'rev': 2, 'value': 42}"));
        assertJson(stored("c"), json("{'name': 'x', 'hits': 42}"));
    }

    @Test
    void missingFieldOfAnExistingDocumentCountsAsZero() {
        storage.put("shop", "c", bytes("{'name': 'x'}"), 0);

        JsonNode result = handler.handle(context, request("{'key': 'c', 'field': 'hits', 'by': -3}"));

        assertJson(result, json("{'key': 'c', 'rev': 2, 'value': -3}"));
        assertJson(stored("c"), json("{'name': 'x', 'hits': -3}"));
    }

    @Test
    void fractionalFieldGetsAFractionalSum() {
        storage.put("shop", "c", bytes("{'level': 1.5}"), 0);

        JsonNode result = handler.handle(context, request("{'key': 'c', 'field': 'level', 'by': 2}"));

        assertThat(result.get("value").doubleValue()).isEqualTo(3.5);
        assertThat(stored("c").get("level").doubleValue()).isEqualTo(3.5);
    }

    @Test
    void integersStayExactBeyondTheRangeOfLong() {
        storage.put("shop", "c", bytes("{'n': " + Long.MAX_VALUE + "}"), 0);

        JsonNode result = handler.handle(context, request("{'key': 'c', 'field': 'n', 'by': 1}"));

        BigInteger expected = BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.ONE);
        assertThat(result.get("value").bigIntegerValue()).isEqualTo(expected);
        assertThat(stored("c").get("n").bigIntegerValue()).isEqualTo(expected);
    }

    @Test
    void nonNumericFieldIsBadRequestAndLeavesTheDocumentAlone() {
        storage.put("shop", "c", bytes("{'hits': 'many', 'gone': null}"), 0);

        assertBadRequest("{'key': 'c', 'field': 'hits'}", "field 'hits' of 'c' is not a number, it holds a string");
        assertBadRequest("{'key': 'c', 'field': 'gone'}", "field 'gone' of 'c' is not a number, it holds a null");
        assertThat(storage.get("shop", "c")).get().extracting(Document::rev).isEqualTo(1L);
    }

    @Test
    void invalidFieldsAreBadRequests() {
        assertBadRequest("{'field': 'hits'}", "missing field 'key' (a string)");
        assertBadRequest("{'key': 'c'}", "missing field 'field' (a string)");
        assertBadRequest("{'key': 'c', 'field': ''}", "field 'field' must be a non-empty string");
        assertBadRequest("{'key': 'c', 'field': 'hits', 'by': '2'}", "field 'by' must be an integer");
        assertBadRequest("{'key': 'c', 'field': 'hits', 'by': 1.5}", "field 'by' must be an integer");
        assertBadRequest("{'key': '', 'field': 'hits'}", "key must be a non-empty string");
        assertThat(storage.count("shop")).isZero();
    }

    @Test
    void missingDatabaseIsDbNotFound() {
        FakeRequestContext elsewhere = new FakeRequestContext(storage, "nope");

        assertThatThrownBy(() -> handler.handle(elsewhere, request("{'key': 'c', 'field': 'hits'}")))
                .isInstanceOfSatisfying(PydbException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.DB_NOT_FOUND));
    }

    @Test
    void documentOverTheSizeLimitIsLimitExceeded() {
        storage.put("shop", "c", bytes("{'hits': 9}"), 0);
        FakeRequestContext small = new FakeRequestContext(storage, "shop", "{\"hits\":9}".length());

        assertThatThrownBy(() -> handler.handle(small, request("{'key': 'c', 'field': 'hits'}")))
                .isInstanceOfSatisfying(PydbException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED))
                .hasMessage("document 'c' would be 11 bytes, the limit is 10");
        assertJson(stored("c"), json("{'hits': 9}"));
    }

    @Test
    void retriesWhenAnotherWriterChangedTheDocumentBetweenReadAndWrite() {
        storage.put("shop", "c", bytes("{'hits': 10}"), 0);
        AtomicBoolean interfered = new AtomicBoolean();
        storage.beforeEachWrite(() -> {
            if (interfered.compareAndSet(false, true)) {
                storage.put("shop", "c", bytes("{'hits': 100}"), Storage.ANY_REVISION);
            }
        });

        JsonNode result = handler.handle(context, request("{'key': 'c', 'field': 'hits', 'by': 5}"));

        assertThat(storage.conflicts()).isEqualTo(1);
        assertJson(result, json("{'key': 'c', 'rev': 3, 'value': 105}"));
        assertJson(stored("c"), json("{'hits': 105}"));
    }

    @Test
    void retriesWhenAnotherWriterCreatedTheMissingDocumentFirst() {
        AtomicBoolean interfered = new AtomicBoolean();
        storage.beforeEachWrite(() -> {
            if (interfered.compareAndSet(false, true)) {
                storage.put("shop", "c", bytes("{'hits': 7}"), 0);
            }
        });

        JsonNode result = handler.handle(context, request("{'key': 'c', 'field': 'hits'}"));

        assertJson(result, json("{'key': 'c', 'rev': 2, 'value': 8}"));
    }

    @Test
    void givesUpWithUnavailableWhenItKeepsLosingTheRace() {
        storage.put("shop", "c", bytes("{'hits': 0}"), 0);
        storage.beforeEachWrite(() -> storage.put("shop", "c", bytes("{'hits': 0}"), Storage.ANY_REVISION));

        assertThatThrownBy(() -> handler.handle(context, request("{'key': 'c', 'field': 'hits'}")))
                .isInstanceOfSatisfying(PydbException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE))
                .hasMessageContaining("lost to concurrent writers " + IncrHandler.MAX_ATTEMPTS + " times");
        assertThat(storage.conflicts()).isEqualTo(IncrHandler.MAX_ATTEMPTS);
    }

    @Test
    void concurrentIncrementsLoseNothing() throws Exception {
        int threads = 8;
        int incrementsPerThread = 40;
        storage.beforeEachWrite(Thread::yield);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> workers = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < incrementsPerThread; i++) {
                        handler.handle(context, request("{'key': 'counter', 'field': 'n'}"));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> worker : workers) {
                worker.get();
            }
        }

        assertJson(stored("counter"), json("{'n': 320}"));
        assertThat(storage.get("shop", "counter")).get().extracting(Document::rev).isEqualTo(320L);
    }

    /** Compares the JSON text: an int and a long node with the same value are the same JSON. */
    private static void assertJson(JsonNode actual, JsonNode expected) {
        assertThat(actual.toString()).isEqualTo(expected.toString());
    }

    private void assertBadRequest(String request, String message) {
        assertThatThrownBy(() -> handler.handle(context, request(request)))
                .isInstanceOfSatisfying(PydbException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST))
                .hasMessage(message);
    }

    private JsonNode stored(String key) {
        try {
            return JSON.readTree(storage.get("shop", key).orElseThrow().body());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static ObjectNode request(String fields) {
        ObjectNode request = (ObjectNode) json(fields);
        request.put("action", "INCR").put("db", "shop");
        return request;
    }

    private static JsonNode json(String singleQuoted) {
        try {
            return JSON.readTree(singleQuoted.replace('\'', '"'));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] bytes(String singleQuoted) {
        return singleQuoted.replace('\'', '"').getBytes(UTF_8);
    }
}
