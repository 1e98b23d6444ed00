package dev.pydb.engine.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.engine.auth.Authenticator;
import dev.pydb.engine.auth.LoginThrottle;
import dev.pydb.engine.config.ServerConfig;
import dev.pydb.engine.dispatch.ActionRegistration;
import dev.pydb.engine.dispatch.ActionRegistry;
import dev.pydb.engine.dispatch.Dispatcher;
import dev.pydb.engine.dispatch.EngineLimits;
import dev.pydb.engine.dispatch.Services;
import dev.pydb.engine.fakes.FakeAuthenticator;
import dev.pydb.engine.json.JsonSupport;
import dev.pydb.engine.session.Session;
import dev.pydb.engine.stats.ServerInfo;
import dev.pydb.engine.stats.ServerStats;
import dev.pydb.storage.tck.memory.InMemoryStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Fuzzes request handling: arbitrary bodies through the real dispatcher and the built-in actions,
 * on an in-memory storage with a fake authenticator, from connections that have and have not
 * logged in. Every body gets one well-formed response whose error code is a documented one, and
 * never {@code INTERNAL} (that would be a bug: a hostile body must not reach an unexpected failure);
 * a body that is not strict UTF-8 (as the JDK's strict decoder judges it; no BOM, no NUL) is {@code BAD_JSON}.
 */
class DispatcherFuzzTest {
    private static final ObjectMapper READER = new ObjectMapper();
    private static final Set<String> CODES = Stream.of(ErrorCode.values()).map(Enum::name).collect(Collectors.toSet());
    private static final String ADMIN_TOKEN = "admin-token";

    /** Built on first use, so its classes load after Jazzer's agent and get coverage instrumentation. */
    private static final class Fixture {
        static final Dispatcher DISPATCHER = dispatcher();
    }

    @FuzzTest(maxDuration = "60s")
    void everyBodyGetsOneWellFormedResponseAndNeverInternal(FuzzedDataProvider data) throws IOException {
        Session session = new Session("10.1.2.3:4567");
        // FuzzedDataProvider takes primitives from the end of the input: a seed is the body, then one flag byte.
        if (data.consumeBoolean()) {
            session.bindToken(ADMIN_TOKEN);
        }
        byte[] body = data.consumeRemainingAsBytes();

        byte[] response = Fixture.DISPATCHER.process(session, body);

        JsonNode reply = READER.readTree(response);
        assertThat(reply.isObject()).isTrue();
        assertThat(reply.get("ok").isBoolean()).isTrue();
        if (!reply.get("ok").booleanValue()) {
            String code = reply.at("/error/code").asText();
            assertThat(CODES).contains(code);
            assertThat(code).as(reply.toString()).isNotEqualTo("INTERNAL");
        }
        if (!strictUtf8(body)) {
            assertThat(reply.at("/error/code").asText()).as("a body that is not strict UTF-8: " + reply).isEqualTo("BAD_JSON");
        }
    }

    /** The oracle, independent of the server's validator: the JDK's strict decoder, no BOM, no NUL. */
    private static boolean strictUtf8(byte[] body) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body));
        } catch (CharacterCodingException e) {
            return false;
        }
        boolean bom = body.length >= 3 && (body[0] & 0xFF) == 0xEF && (body[1] & 0xFF) == 0xBB && (body[2] & 0xFF) == 0xBF;
        for (byte b : body) {
            if (b == 0) {
                return false;
            }
        }
        return !bom;
    }

    private static Dispatcher dispatcher() {
        FakeAuthenticator authenticator = new FakeAuthenticator();
        authenticator.issue(ADMIN_TOKEN, "root", "admin");
        InMemoryStorage storage = new InMemoryStorage();
        storage.createDatabase("shop");
        List<ActionRegistration> registrations = new ArrayList<>();
        for (ActionHandler handler : ServiceLoader.load(ActionHandler.class, DispatcherFuzzTest.class.getClassLoader())) {
            registrations.add(new ActionRegistration(handler, "class path"));
        }
        Clock clock = Clock.systemUTC();
        ServerStats stats = new ServerStats(clock);
        ServerConfig config = new ServerConfig("127.0.0.1", 0, 10, 64 * 1024, 16 * 1024, 100, 30, 30);
        Services services = Services.builder()
                .add(Authenticator.class, authenticator)
                .add(ServerStats.class, stats)
                .add(ServerInfo.class, new ServerInfo("fuzz", "memory", List.of()))
                .add(LoginThrottle.class, new LoginThrottle(1_000_000, Duration.ofSeconds(1), Duration.ofSeconds(1), clock))
                .build();
        return new Dispatcher(ActionRegistry.of(registrations), authenticator, storage,
                JsonSupport.mapper(config.maxQueryLength()), JsonSupport.unauthenticatedMapper(4096),
                EngineLimits.from(config), stats, services);
    }
}
