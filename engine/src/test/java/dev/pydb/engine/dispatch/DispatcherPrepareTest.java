package dev.pydb.engine.dispatch;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.engine.actions.CountAction;
import dev.pydb.engine.actions.CreateDbAction;
import dev.pydb.engine.actions.FindAction;
import dev.pydb.engine.actions.GetAction;
import dev.pydb.engine.actions.ListDbsAction;
import dev.pydb.engine.actions.LoginAction;
import dev.pydb.engine.actions.LogoutAction;
import dev.pydb.engine.actions.PingAction;
import dev.pydb.engine.actions.PutAction;
import dev.pydb.engine.actions.StatsAction;
import dev.pydb.engine.auth.Authenticator;
import dev.pydb.engine.config.ServerConfig;
import dev.pydb.engine.fakes.FakeAuthenticator;
import dev.pydb.engine.fakes.IsolatingClassLoader;
import dev.pydb.engine.fakes.NonBlockingTestHandler;
import dev.pydb.engine.json.JsonSupport;
import dev.pydb.engine.session.Session;
import dev.pydb.engine.stats.ServerStats;
import dev.pydb.engine.transport.PreparedRequest;
import dev.pydb.api.storage.Storage;
import dev.pydb.storage.tck.memory.ForwardingStorage;
import dev.pydb.storage.tck.memory.InMemoryStorage;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link Dispatcher#prepare}: which requests may run on an event loop, and that preparing runs no handler. */
class DispatcherPrepareTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectMapper json = JsonSupport.mapper(ServerConfig.DEFAULT_MAX_QUERY_LENGTH);
    private final FakeAuthenticator authenticator = new FakeAuthenticator();
    private final InMemoryStorage storage = new InMemoryStorage();
    private final ServerStats stats = new ServerStats(Clock.systemUTC());
    private final Session session = new Session("127.0.0.1:50000");
    private Dispatcher dispatcher;

    @BeforeEach
    void setUp() {
        List<ActionHandler> handlers = List.of(new PingAction(), new GetAction(), new FindAction(), new CountAction(),
                new ListDbsAction(), new PutAction(), new CreateDbAction(), new StatsAction(), new LoginAction(),
                new LogoutAction(),
                IsolatingClassLoader.newIsolatedInstance(NonBlockingTestHandler.class, ActionHandler.class));
        ActionRegistry registry = ActionRegistry.of(handlers.stream().map(h -> new ActionRegistration(h, "test")).toList());
        dispatcher = new Dispatcher(registry, authenticator, storage, json,
                EngineLimits.from(ServerConfig.defaults("127.0.0.1", 0)), stats,
                Services.builder().add(Authenticator.class, authenticator).add(ServerStats.class, stats).build());
        authenticator.issue("admin-token", "root", "admin");
        storage.createDatabase("shop");
    }

    @Test
    void theEnginesReadOnlyActionsMayRunOnTheLoop() {
        for (String body : List.of(
                "{\"action\": \"PING\"}",
                authed("\"action\": \"GET\", \"db\": \"shop\", \"key\": \"k\""),
                authed("\"action\": \"FIND\", \"db\": \"shop\""),
                authed("\"action\": \"COUNT\", \"db\": \"shop\""),
                authed("\"action\": \"LIST_DBS\""))) {
            assertThat(dispatcher.prepare(session, bytes(body)).mayBlock()).as(body).isFalse();
        }
    }

    @Test
    void writesAdminActionsLoginLogoutAndPluginActionsGoToAWorker() {
        for (String body : List.of(
                authed("\"action\": \"PUT\", \"db\": \"shop\", \"key\": \"k\", \"doc\": {}"),
                authed("\"action\": \"CREATE_DB\", \"db\": \"other\""),
                authed("\"action\": \"STATS\""),
                authed("\"action\": \"LOGOUT\""),
                "{\"action\": \"LOGIN\", \"username\": \"root\", \"password\": \"x\"}",
                "{\"action\": \"QUICK\"}")) {
            assertThat(dispatcher.prepare(session, bytes(body)).mayBlock()).as(body).isTrue();
        }
    }

    @Test
    void withAStorageWhoseReadsMayBlockEverythingGoesToAWorkerAuthenticationIncluded() throws IOException {
        InMemoryStorage local = new InMemoryStorage();
        local.createDatabase("shop");
        Storage remote = new ForwardingStorage(local) {
            @Override
            public boolean readsMayBlock() {
                return true;
            }
        };
        Dispatcher offloading = new Dispatcher(ActionRegistry.of(List.of(new ActionRegistration(new GetAction(), "test"),
                new ActionRegistration(new PingAction(), "test"))), authenticator, remote, json,
                EngineLimits.from(ServerConfig.defaults("127.0.0.1", 0)), stats,
                Services.builder().add(Authenticator.class, authenticator).add(ServerStats.class, stats).build());
        authenticator.issue("short-lived", "root", "admin");
        PreparedRequest get = offloading.prepare(session, bytes("{\"action\": \"GET\", \"db\": \"shop\", \"key\": \"k\","
                + " \"auth\": {\"token\": \"short-lived\"}}"));
        PreparedRequest ping = offloading.prepare(session, bytes("{\"action\": \"PING\"}"));
        assertThat(List.of(get, ping)).allMatch(PreparedRequest::mayBlock);

        authenticator.revoke("short-lived");

        assertThat(errorCode(get)).as("the token is checked on the worker, not while preparing").isEqualTo("UNAUTHENTICATED");
        assertThat(JSON.readTree(ping.execute()).path("result").textValue()).isEqualTo("PONG");
    }

    @Test
    void preparingRunsNoHandlerAndExecutingDoes() throws IOException {
        PreparedRequest put = dispatcher.prepare(session,
                bytes(authed("\"action\": \"PUT\", \"db\": \"shop\", \"key\": \"k\", \"doc\": {\"n\": 1}, \"id\": 7")));
        assertThat(storage.get("shop", "k")).isEmpty();

        JsonNode response = JSON.readTree(put.execute());

        assertThat(response.path("ok").booleanValue()).isTrue();
        assertThat(response.path("id").intValue()).isEqualTo(7);
        assertThat(storage.get("shop", "k")).isPresent();
    }

    @Test
    void failuresFoundWhilePreparingAreAnsweredWithoutAWorker() throws IOException {
        PreparedRequest badJson = dispatcher.prepare(session, bytes("{not json"));
        PreparedRequest unknown = dispatcher.prepare(session, bytes("{\"action\": \"NOPE\"}"));
        PreparedRequest unauthenticated = dispatcher.prepare(session,
                bytes("{\"action\": \"PUT\", \"db\": \"shop\", \"key\": \"k\", \"doc\": {}}"));

        assertThat(List.of(badJson, unknown, unauthenticated)).noneMatch(PreparedRequest::mayBlock);
        assertThat(errorCode(badJson)).isEqualTo("BAD_JSON");
        assertThat(errorCode(unknown)).isEqualTo("UNKNOWN_ACTION");
        assertThat(errorCode(unauthenticated)).isEqualTo("UNAUTHENTICATED");
    }

    private static String errorCode(PreparedRequest request) throws IOException {
        return JSON.readTree(request.execute()).at("/error/code").asText();
    }

    private static String authed(String fields) {
        return "{" + fields + ", \"auth\": {\"token\": \"admin-token\"}}";
    }

    private static byte[] bytes(String body) {
        return body.getBytes(UTF_8);
    }
}
