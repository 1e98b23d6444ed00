package dev.pydb.engine.actions;

import static dev.pydb.engine.actions.ActionTesting.failure;
import static dev.pydb.engine.actions.ActionTesting.json;
import static dev.pydb.engine.actions.ActionTesting.normalized;
import static dev.pydb.engine.actions.ActionTesting.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.action.Permission;
import dev.pydb.engine.auth.Authenticator;
import dev.pydb.engine.auth.DefaultAuthenticator;
import dev.pydb.engine.auth.MutableClock;
import dev.pydb.engine.auth.PasswordHasher;
import dev.pydb.engine.config.AuthConfig;
import dev.pydb.engine.config.UserConfig;
import dev.pydb.engine.session.Session;
import dev.pydb.storage.tck.memory.InMemoryStorage;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PING, LOGIN and LOGOUT. */
class SessionActionsTest {
    private final Authenticator authenticator = new DefaultAuthenticator(new AuthConfig(3600, List.of(
            new UserConfig("app", PasswordHasher.hash("pw", PasswordHasher.MIN_ITERATIONS), null,
                    List.of("readWrite:shop", "read:*")))),
            new MutableClock(Instant.parse("2026-11-24T03:20:00.700Z")));
    private final Session session = new Session("127.0.0.1:50000");
    private final FakeRequestContext context = new FakeRequestContext(new InMemoryStorage())
            .principal(null)
            .service(Authenticator.class, authenticator)
            .service(Session.class, session);

    @Test
    void pingAnswersPongToAnyone() {
        PingAction ping = new PingAction();

        assertThat(ping.action()).isEqualTo("PING");
        assertThat(ping.permission()).isEqualTo(Permission.NONE);
        assertThat(normalized(ping.handle(context, request("{'action': 'PING'}")))).isEqualTo(json("'PONG'"));
    }

    @Test
    void loginReturnsTokenExpiryAndRolesAndBindsTheSession() {
        JsonNode result = new LoginAction().handle(context,
                request("{'action': 'LOGIN', 'username': 'app', 'password': 'pw'}"));

        String token = result.get("token").textValue();
        assertThat(result.get("expires_at").textValue()).isEqualTo("2026-11-24T04:20:00Z");
        assertThat(normalized(result.get("roles"))).isEqualTo(json("['readWrite:shop', 'read:*']"));
        assertThat(result.size()).isEqualTo(3);
        assertThat(session.token()).contains(token);
        assertThat(authenticator.authenticate(token).username()).isEqualTo("app");
    }

    @Test
    void aFailedLoginIsUnauthenticatedAndLeavesTheSessionAlone() {
        failure(() -> new LoginAction().handle(context,
                request("{'action': 'LOGIN', 'username': 'app', 'password': 'nope'}")), ErrorCode.UNAUTHENTICATED);

        assertThat(session.token()).isEmpty();
    }

    @Test
    void loginNeedsStringUsernameAndPassword() {
        assertThat(failure(() -> new LoginAction().handle(context, request("{'password': 'pw'}")), ErrorCode.BAD_REQUEST))
                .hasMessageContaining("'username'");
        assertThat(failure(() -> new LoginAction().handle(context, request("{'username': 'app', 'password': 5}")),
                ErrorCode.BAD_REQUEST)).hasMessageContaining("'password'");
    }

    @Test
    void logoutRevokesTheRequestTokenAndClearsTheSession() {
        String token = login();
        assertThat(new LogoutAction().permission()).isEqualTo(Permission.AUTHENTICATED);

        JsonNode result = new LogoutAction().handle(context,
                request("{'action': 'LOGOUT', 'auth': {'token': '" + token + "'}}"));

        assertThat(normalized(result)).isEqualTo(json("{'revoked': true}"));
        assertThat(session.token()).isEmpty();
        failure(() -> authenticator.authenticate(token), ErrorCode.UNAUTHENTICATED);
    }

    @Test
    void logoutWithoutAuthRevokesTheSessionToken() {
        String token = login();

        new LogoutAction().handle(context, request("{'action': 'LOGOUT'}"));

        assertThat(session.token()).isEmpty();
        failure(() -> authenticator.authenticate(token), ErrorCode.UNAUTHENTICATED);
    }

    @Test
    void logoutPrefersTheRequestTokenOverTheSessionToken() {
        String sessionToken = login();
        String otherToken = authenticator.login("app", "pw").token();

        new LogoutAction().handle(context, request("{'auth': {'token': '" + otherToken + "'}}"));

        failure(() -> authenticator.authenticate(otherToken), ErrorCode.UNAUTHENTICATED);
        assertThat(authenticator.authenticate(sessionToken).username()).isEqualTo("app");
    }

    private String login() {
        return new LoginAction().handle(context, request("{'username': 'app', 'password': 'pw'}")).get("token").textValue();
    }
}
