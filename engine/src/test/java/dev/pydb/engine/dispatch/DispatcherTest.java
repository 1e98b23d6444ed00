package dev.pydb.engine.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import dev.pydb.api.action.Principal;
import dev.pydb.api.storage.StorageClosedException;
import dev.pydb.engine.auth.Authenticator;
import dev.pydb.engine.config.ServerConfig;
import dev.pydb.engine.fakes.ContextClassLoaderProbe;
import dev.pydb.engine.plugin.ContextClassLoaderActionHandler;
import dev.pydb.engine.fakes.FakeAuthenticator;
import dev.pydb.engine.fakes.IsolatingClassLoader;
import dev.pydb.engine.fakes.TestHandler;
import dev.pydb.engine.json.JsonSupport;
import dev.pydb.engine.session.Session;
import dev.pydb.engine.stats.ServerStats;
import dev.pydb.storage.tck.memory.InMemoryStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class DispatcherTest {
    private final ObjectMapper json = JsonSupport.mapper(ServerConfig.DEFAULT_MAX_QUERY_LENGTH);
    private final FakeAuthenticator authenticator = new FakeAuthenticator();
    private final InMemoryStorage storage = new InMemoryStorage();
    private final ServerStats stats = new ServerStats(Clock.systemUTC());
    private final Session session = new Session("127.0.0.1:50000");
    private final List<Principal> seenPrincipals = new ArrayList<>();
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger dispatcherLogger = (Logger) LoggerFactory.getLogger(Dispatcher.class);
    private Dispatcher dispatcher;

    @BeforeEach
    void setUp() {
        List<ActionHandler> handlers = List.of(
                new TestHandler("PING", Permission.NONE, (context, request) -> {
                    context.principal().ifPresent(seenPrincipals::add);
                    return TextNode.valueOf("PONG");
                }),
                new TestHandler("WHOAMI", Permission.AUTHENTICATED,
                        (context, request) -> TextNode.valueOf(context.principal().orElseThrow().username())),
                new TestHandler("GET", Permission.READ, (context, request) -> TextNode.valueOf(context.database())),
                new TestHandler("PUT", Permission.WRITE, (context, request) -> TextNode.valueOf(context.database())),
                new TestHandler("STATS", Permission.ADMIN, (context, request) -> json.createObjectNode()
                        .put("hasStats", context.service(ServerStats.class).isPresent())
                        .put("hasAuthenticator", context.service(Authenticator.class).isPresent())
                        .put("sessionIsMine", context.service(Session.class).orElseThrow() == session)
                        .put("remote", context.remoteAddress())
                        .put("maxFind", context.limits().maxFindLimit())
                        .put("defaultFind", context.limits().defaultFindLimit())
                        .put("maxBatch", context.limits().maxBatchOps())),
                new TestHandler("LOGIN", Permission.NONE, (context, request) -> {
                    Session s = context.service(Session.class).orElseThrow();
                    s.bindToken(request.get("token").textValue());
                    return TextNode.valueOf("bound");
                }),
                new TestHandler("BOOM", Permission.NONE, (context, request) -> {
                    throw new IllegalStateException("secret internals");
                }),
                new TestHandler("CONFLICTING", Permission.NONE, (context, request) -> {
                    throw new PydbException(ErrorCode.CONFLICT, "rev mismatch").withDetail("index", 3);
                }),
                new TestHandler("CLOSED", Permission.NONE, (context, request) -> {
                    throw new StorageClosedException("memory");
                }),
                new TestHandler("NO_DB", Permission.NONE, (context, request) -> TextNode.valueOf(context.database())),
                pluginHandler(IsolatingClassLoader.newIsolatedInstance(ContextClassLoaderProbe.class, ActionHandler.class)));
        ActionRegistry registry = ActionRegistry.of(handlers.stream().map(h -> new ActionRegistration(h, "test")).toList());
        Services services = Services.builder()
                .add(Authenticator.class, authenticator)
                .add(ServerStats.class, stats)
                .build();
        dispatcher = new Dispatcher(registry, authenticator, storage, json,
                EngineLimits.from(ServerConfig.defaults("127.0.0.1", 0)), stats, services);
        authenticator.issue("admin-token", "root", "admin");
        authenticator.issue("reader-token", "ann", "read:shop");
        authenticator.issue("writer-token", "bob", "readWrite:shop", "read:*");
        log.start();
        dispatcherLogger.addAppender(log);
    }

    @AfterEach
    void tearDown() {
        dispatcherLogger.detachAppender(log);
    }

    @Test
    void bad_json_gets_an_error_and_the_connection_keeps_working() {
        assertError(send("{not json"), ErrorCode.BAD_JSON);
        assertError(send("[1, 2]"), ErrorCode.BAD_JSON);
        assertError(send("\"PING\""), ErrorCode.BAD_JSON);
        assertError(send(""), ErrorCode.BAD_JSON);
        assertError(send("{\"action\": \"PING\"} {}"), ErrorCode.BAD_JSON);
        assertError(send("{\"action\": \"PING\", \"action\": \"GET\"}"), ErrorCode.BAD_JSON);
        assertError(process(new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1}), ErrorCode.BAD_JSON);

        JsonNode ok = send("{\"action\": \"PING\"}");
        assertThat(ok.get("ok").booleanValue()).isTrue();
        assertThat(ok.get("result").textValue()).isEqualTo("PONG");
    }

    @Test
    void bodies_that_are_not_strict_utf8_are_bad_json() {
        String ping = "{\"action\": \"PING\", \"id\": \"x\"}";
        assertUtf8Refused(withUtf8Inside(ping, 0xc0, 0xaf), "overlong encoding");
        assertUtf8Refused(withUtf8Inside(ping, 0xe0, 0x80, 0xaf), "overlong encoding");
        assertUtf8Refused(withUtf8Inside(ping, 0xed, 0xa0, 0x80), "UTF-8-encoded surrogate");
        assertUtf8Refused(withUtf8Inside(ping, 0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80), "UTF-8-encoded surrogate");
        assertUtf8Refused(concat(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, ping.getBytes(StandardCharsets.UTF_8)),
                "byte order mark");
        assertUtf8Refused(concat(new byte[] {(byte) 0xff, (byte) 0xfe}, ping.getBytes(StandardCharsets.UTF_16LE)),
                "invalid byte 0xff");
        assertUtf8Refused(ping.getBytes(StandardCharsets.UTF_16BE), "NUL byte");
        assertUtf8Refused(ping.getBytes(StandardCharsets.UTF_16LE), "NUL byte");
        assertUtf8Refused(ping.getBytes(java.nio.charset.Charset.forName("UTF-32LE")), "NUL byte");

        JsonNode ok = send("{\"action\": \"PING\", \"id\": \"\u00e9\ud83d\ude00\ufeff\"}");
        assertThat(ok.get("ok").booleanValue()).as("real UTF-8, a BOM character inside a string too").isTrue();
        assertThat(ok.get("id").textValue()).isEqualTo("\u00e9\ud83d\ude00\ufeff");
    }

    private void assertUtf8Refused(byte[] body, String reason) {
        JsonNode response = process(body);
        assertError(response, ErrorCode.BAD_JSON);
        assertThat(response.at("/error/message").textValue()).startsWith("body is not valid UTF-8: ").contains(reason);
    }

    private static byte[] withUtf8Inside(String ping, int... bytes) {
        byte[] raw = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            raw[i] = (byte) bytes[i];
        }
        String[] parts = ping.split("x");
        return concat(concat(parts[0].getBytes(StandardCharsets.UTF_8), raw), parts[1].getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] joined = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }

    @Test
    void deep_nesting_is_bad_json_not_a_crash() {
        String deep = "{\"action\": \"PING\", \"x\": " + "[".repeat(5000) + "]".repeat(5000) + "}";
        JsonNode response = send(deep);
        assertError(response, ErrorCode.BAD_JSON);
        assertThat(response.at("/error/message").textValue()).contains("nesting");
    }

    @Test
    void id_is_echoed_unchanged_on_success_and_on_error() {
        assertThat(send("{\"action\": \"PING\", \"id\": 17}").get("id").toString()).isEqualTo("17");
        assertThat(send("{\"action\": \"PING\", \"id\": \"abc\"}").get("id").toString()).isEqualTo("\"abc\"");
        assertThat(send("{\"action\": \"PING\", \"id\": 1.10}").get("id").toString()).isEqualTo("1.10");
        assertThat(send("{\"action\": \"PING\", \"id\": 123456789012345678901234567890}").get("id").toString())
                .isEqualTo("123456789012345678901234567890");
        assertThat(send("{\"action\": \"PING\", \"id\": null}").get("id").isNull()).isTrue();
        assertThat(send("{\"action\": \"PING\", \"id\": true}").get("id").booleanValue()).isTrue();

        JsonNode unknown = send("{\"action\": \"NOPE\", \"id\": 99}");
        assertError(unknown, ErrorCode.UNKNOWN_ACTION);
        assertThat(unknown.get("id").intValue()).isEqualTo(99);

        JsonNode unauthenticated = send("{\"action\": \"GET\", \"db\": \"shop\", \"id\": \"x\"}");
        assertError(unauthenticated, ErrorCode.UNAUTHENTICATED);
        assertThat(unauthenticated.get("id").textValue()).isEqualTo("x");

        assertThat(send("{\"action\": \"PING\"}").has("id")).isFalse();
    }

    @Test
    void an_id_that_is_not_a_scalar_is_a_bad_request() {
        JsonNode response = send("{\"action\": \"PING\", \"id\": {\"a\": 1}}");
        assertError(response, ErrorCode.BAD_REQUEST);
        assertThat(response.has("id")).isFalse();
    }

    @Test
    void action_is_required_and_matched_case_insensitively() {
        assertError(send("{}"), ErrorCode.BAD_REQUEST);
        assertError(send("{\"action\": 7}"), ErrorCode.BAD_REQUEST);
        assertError(send("{\"action\": null}"), ErrorCode.BAD_REQUEST);
        assertThat(send("{\"action\": \"ping\"}").get("result").textValue()).isEqualTo("PONG");
        assertThat(send("{\"action\": \"PiNg\"}").get("result").textValue()).isEqualTo("PONG");
        JsonNode unknown = send("{\"action\": \"FROB\"}");
        assertError(unknown, ErrorCode.UNKNOWN_ACTION);
        assertThat(unknown.at("/error/message").textValue()).contains("FROB");
    }

    @Test
    void auth_must_be_absent_empty_or_a_token() {
        assertThat(send("{\"action\": \"PING\", \"auth\": {}}").get("ok").booleanValue()).isTrue();
        assertError(send("{\"action\": \"PING\", \"auth\": \"admin-token\"}"), ErrorCode.BAD_REQUEST);
        assertError(send("{\"action\": \"PING\", \"auth\": {\"token\": 5}}"), ErrorCode.BAD_REQUEST);
        assertError(send("{\"action\": \"PING\", \"auth\": {\"username\": \"root\", \"password\": \"pw\"}}"),
                ErrorCode.BAD_REQUEST);
    }

    @Test
    void actions_that_need_a_user_reject_anonymous_and_invalid_tokens() {
        assertError(send("{\"action\": \"WHOAMI\"}"), ErrorCode.UNAUTHENTICATED);
        assertError(send("{\"action\": \"WHOAMI\", \"auth\": {}}"), ErrorCode.UNAUTHENTICATED);
        assertError(send("{\"action\": \"WHOAMI\", \"auth\": {\"token\": \"forged\"}}"), ErrorCode.UNAUTHENTICATED);
        assertThat(send("{\"action\": \"WHOAMI\", \"auth\": {\"token\": \"reader-token\"}}").get("result").textValue())
                .isEqualTo("ann");
    }

    @Test
    void a_session_login_authenticates_later_requests_until_the_token_dies() {
        send("{\"action\": \"LOGIN\", \"token\": \"writer-token\"}");
        assertThat(send("{\"action\": \"WHOAMI\"}").get("result").textValue()).isEqualTo("bob");

        authenticator.revoke("writer-token");
        JsonNode response = send("{\"action\": \"WHOAMI\"}");
        assertError(response, ErrorCode.UNAUTHENTICATED);
        assertThat(session.token()).isEmpty();
    }

    @Test
    void an_invalid_request_token_is_rejected_even_on_a_logged_in_session() {
        send("{\"action\": \"LOGIN\", \"token\": \"writer-token\"}");
        assertError(send("{\"action\": \"WHOAMI\", \"auth\": {\"token\": \"forged\"}}"), ErrorCode.UNAUTHENTICATED);
        assertThat(send("{\"action\": \"WHOAMI\", \"auth\": {\"token\": \"admin-token\"}}").get("result").textValue())
                .isEqualTo("root");
    }

    @Test
    void actions_open_to_anyone_still_see_a_valid_principal_and_ignore_a_dead_one() {
        assertThat(send("{\"action\": \"PING\", \"auth\": {\"token\": \"forged\"}}").get("ok").booleanValue()).isTrue();
        assertThat(seenPrincipals).isEmpty();
        send("{\"action\": \"PING\", \"auth\": {\"token\": \"reader-token\"}}");
        assertThat(seenPrincipals).extracting(Principal::username).containsExactly("ann");

        send("{\"action\": \"LOGIN\", \"token\": \"writer-token\"}");
        send("{\"action\": \"PING\"}");
        assertThat(seenPrincipals).extracting(Principal::username).containsExactly("ann", "bob");
        authenticator.revoke("writer-token");
        assertThat(send("{\"action\": \"PING\"}").get("ok").booleanValue()).isTrue();
        assertThat(session.token()).isEmpty();
    }

    @Test
    void read_and_write_need_a_valid_db_and_the_role_for_it() {
        assertThat(send("{\"action\": \"GET\", \"db\": \"shop\", \"auth\": {\"token\": \"reader-token\"}}")
                .get("result").textValue()).isEqualTo("shop");
        assertError(send("{\"action\": \"GET\", \"db\": \"logs\", \"auth\": {\"token\": \"reader-token\"}}"),
                ErrorCode.FORBIDDEN);
        assertError(send("{\"action\": \"PUT\", \"db\": \"shop\", \"auth\": {\"token\": \"reader-token\"}}"),
                ErrorCode.FORBIDDEN);
        assertThat(send("{\"action\": \"PUT\", \"db\": \"shop\", \"auth\": {\"token\": \"writer-token\"}}")
                .get("result").textValue()).isEqualTo("shop");
        assertThat(send("{\"action\": \"GET\", \"db\": \"logs\", \"auth\": {\"token\": \"writer-token\"}}")
                .get("ok").booleanValue()).isTrue();
        assertError(send("{\"action\": \"PUT\", \"db\": \"logs\", \"auth\": {\"token\": \"writer-token\"}}"),
                ErrorCode.FORBIDDEN);

        assertError(send("{\"action\": \"GET\", \"auth\": {\"token\": \"admin-token\"}}"), ErrorCode.BAD_REQUEST);
        assertError(send("{\"action\": \"GET\", \"db\": 3, \"auth\": {\"token\": \"admin-token\"}}"), ErrorCode.BAD_REQUEST);
        assertError(send("{\"action\": \"GET\", \"db\": \"../etc\", \"auth\": {\"token\": \"admin-token\"}}"),
                ErrorCode.BAD_REQUEST);
        assertError(send("{\"action\": \"GET\", \"db\": \"../etc\"}"), ErrorCode.UNAUTHENTICATED);
    }

    @Test
    void admin_actions_need_the_admin_role() {
        assertError(send("{\"action\": \"STATS\", \"auth\": {\"token\": \"writer-token\"}}"), ErrorCode.FORBIDDEN);
        JsonNode result = send("{\"action\": \"STATS\", \"auth\": {\"token\": \"admin-token\"}}").get("result");
        assertThat(result.get("hasStats").booleanValue()).isTrue();
        assertThat(result.get("hasAuthenticator").booleanValue()).isTrue();
        assertThat(result.get("sessionIsMine").booleanValue()).isTrue();
        assertThat(result.get("remote").textValue()).isEqualTo("127.0.0.1:50000");
        assertThat(result.get("maxFind").intValue()).isEqualTo(10_000);
        assertThat(result.get("defaultFind").intValue()).isEqualTo(100);
        assertThat(result.get("maxBatch").intValue()).isEqualTo(ServerConfig.DEFAULT_MAX_BATCH_OPS);
    }

    @Test
    void an_unexpected_failure_is_internal_with_a_logged_incident_id_and_no_stack_trace() {
        JsonNode response = send("{\"action\": \"BOOM\", \"id\": 5}");
        assertError(response, ErrorCode.INTERNAL);
        assertThat(response.get("id").intValue()).isEqualTo(5);
        String incident = response.at("/error/incident").textValue();
        assertThat(incident).matches("[0-9a-f-]{36}");
        assertThat(response.at("/error/message").textValue()).contains(incident).doesNotContain("secret");
        assertThat(response.toString()).doesNotContain("IllegalStateException").doesNotContain("at dev.pydb");

        assertThat(log.list).singleElement().satisfies(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.ERROR);
            assertThat(event.getFormattedMessage()).contains(incident).contains("BOOM");
            assertThat(event.getThrowableProxy().getMessage()).isEqualTo("secret internals");
        });
    }

    @Test
    void pydb_exceptions_keep_their_code_and_details() {
        JsonNode response = send("{\"action\": \"CONFLICTING\"}");
        assertError(response, ErrorCode.CONFLICT);
        assertThat(response.at("/error/message").textValue()).isEqualTo("rev mismatch");
        assertThat(response.at("/error/index").intValue()).isEqualTo(3);
        assertError(send("{\"action\": \"CLOSED\"}"), ErrorCode.UNAVAILABLE);
    }

    @Test
    void database_outside_read_and_write_actions_is_a_programming_error() {
        assertError(send("{\"action\": \"NO_DB\", \"db\": \"shop\"}"), ErrorCode.INTERNAL);
    }

    @Test
    void a_plugin_handler_runs_with_its_own_class_loader_as_context_class_loader() throws IOException {
        Thread thread = Thread.currentThread();
        ClassLoader original = thread.getContextClassLoader();
        try (URLClassLoader unrelated = new URLClassLoader(new URL[0], null)) {
            thread.setContextClassLoader(unrelated);
            JsonNode result = send("{\"action\": \"PROBE\"}").get("result");
            assertThat(result.get("loadedByParent").booleanValue()).isFalse();
            assertThat(result.get("tcclIsMine").booleanValue()).isTrue();
            assertThat(thread.getContextClassLoader()).isSameAs(unrelated);
        } finally {
            thread.setContextClassLoader(original);
        }
    }

    @Test
    void every_request_is_counted_with_failures() {
        send("{\"action\": \"ping\"}");
        send("{\"action\": \"PING\"}");
        send("{\"action\": \"WHOAMI\"}");
        send("{\"action\": \"whatever\"}");
        send("nope");
        assertThat(stats.requestsPerAction()).isEqualTo(Map.of("PING", 2L, "WHOAMI", 1L,
                Dispatcher.UNKNOWN_ACTIONS, 1L, Dispatcher.INVALID_REQUESTS, 1L));
        assertThat(stats.errorsPerAction()).isEqualTo(Map.of("WHOAMI", 1L,
                Dispatcher.UNKNOWN_ACTIONS, 1L, Dispatcher.INVALID_REQUESTS, 1L));
    }

    private JsonNode send(String body) {
        return process(body.getBytes(StandardCharsets.UTF_8));
    }

    private JsonNode process(byte[] body) {
        try {
            return json.readTree(dispatcher.process(session, body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertError(JsonNode response, ErrorCode code) {
        assertThat(response.get("ok").booleanValue()).as(response.toString()).isFalse();
        assertThat(response.at("/error/code").textValue()).as(response.toString()).isEqualTo(code.name());
        assertThat(response.at("/error/message").textValue()).isNotBlank();
    }

    /** A handler as a plugin's arrive from the plugin loader: wrapped with its own loader as context loader. */
    private static ActionHandler pluginHandler(ActionHandler handler) {
        return ContextClassLoaderActionHandler.wrap(handler, handler.getClass().getClassLoader());
    }
}
