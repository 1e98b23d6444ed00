package dev.pydb.engine.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.engine.config.AuthConfig;
import dev.pydb.engine.config.UserConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Authenticators and login throttles of several nodes over one {@link dev.pydb.api.storage.SessionStore}:
 * a token from one node works on another, LOGOUT on one ends it on all, a restart (a new
 * authenticator on the same store) logs nobody out, only digests are stored, failures count across
 * nodes.
 */
class SharedSessionsTest {
    private static final AuthConfig CONFIG = new AuthConfig(60, List.of(
            new UserConfig("app", null, "app-pw", List.of("readWrite:shop"))));

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T03:00:00Z"));
    private final InMemorySessionStore store = new InMemorySessionStore();
    private final DefaultAuthenticator nodeA = new DefaultAuthenticator(CONFIG, clock, store);
    private final DefaultAuthenticator nodeB = new DefaultAuthenticator(CONFIG, clock, store);
    private final DefaultAuthenticator nodeC = new DefaultAuthenticator(CONFIG, clock, store);

    @Test
    void aTokenFromOneNodeWorksOnTheOthersAndLogoutEndsItEverywhere() {
        LoginResult login = nodeA.login("app", "app-pw");
        assertThat(nodeB.authenticate(login.token()).username()).isEqualTo("app");
        assertThat(nodeC.authenticate(login.token()).roles()).containsExactly("readWrite:shop");

        nodeB.logout(login.token());

        for (DefaultAuthenticator node : List.of(nodeA, nodeB, nodeC)) {
            assertThatThrownBy(() -> node.authenticate(login.token())).isInstanceOf(PydbException.class)
                    .extracting(e -> ((PydbException) e).code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
        }
    }

    @Test
    void aRestartedNodeStillKnowsTheTokensAndOnlyDigestsAreStored() {
        LoginResult login = nodeA.login("app", "app-pw");
        DefaultAuthenticator restarted = new DefaultAuthenticator(CONFIG, clock, store);
        assertThat(restarted.authenticate(login.token()).username()).isEqualTo("app");
        assertThat(store.sessions).hasSize(1).doesNotContainKey(login.token());
        assertThat(store.sessions.values().iterator().next().username()).isEqualTo("app");
        assertThat(nodeA.tokenCount()).as("nothing in the node's own table").isZero();
    }

    @Test
    void sharedTokensExpire() {
        LoginResult login = nodeA.login("app", "app-pw");
        clock.advance(Duration.ofSeconds(61));
        assertThatThrownBy(() -> nodeB.authenticate(login.token())).isInstanceOf(PydbException.class);
    }

    @Test
    void aUserThisNodeDoesNotDefineIsRefusedEvenWithASharedToken() {
        LoginResult login = nodeA.login("app", "app-pw");
        DefaultAuthenticator other = new DefaultAuthenticator(new AuthConfig(60, List.of(
                new UserConfig("someone-else", null, "pw", List.of("admin")))), clock, store);
        assertThatThrownBy(() -> other.authenticate(login.token())).isInstanceOf(PydbException.class);
    }

    @Test
    void failedLoginsCountAcrossNodes() {
        LoginThrottle throttleA = new LoginThrottle(4, Duration.ofSeconds(5), Duration.ofSeconds(60), clock, Optional.of(store));
        LoginThrottle throttleB = new LoginThrottle(4, Duration.ofSeconds(5), Duration.ofSeconds(60), clock, Optional.of(store));
        throttleA.failed("app", "10.0.0.1");
        throttleB.failed("app", "10.0.0.2");
        throttleA.failed("app", "10.0.0.3");
        throttleB.checkAllowed("app", "10.0.0.4");
        throttleB.failed("app", "10.0.0.4");

        assertThatThrownBy(() -> throttleA.checkAllowed("app", "10.0.0.9")).isInstanceOf(PydbException.class)
                .hasMessageContaining("retry in 5 s");
        throttleB.succeeded("app", "10.0.0.9");
        throttleA.checkAllowed("app", "10.0.0.9");
    }
}
