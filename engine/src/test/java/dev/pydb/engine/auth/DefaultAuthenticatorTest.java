package dev.pydb.engine.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.action.Principal;
import dev.pydb.engine.config.AuthConfig;
import dev.pydb.engine.config.UserConfig;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class DefaultAuthenticatorTest {
    private static final String ADMIN_HASH = PasswordHasher.hash("admin-pw", PasswordHasher.MIN_ITERATIONS);
    private static final AuthConfig CONFIG = new AuthConfig(60, List.of(
            new UserConfig("admin", ADMIN_HASH, null, List.of("admin")),
            new UserConfig("app", null, "app-pw", List.of("readWrite:shop", "read:logs"))));

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T03:00:00.250Z"));
    private final DefaultAuthenticator authenticator = new DefaultAuthenticator(CONFIG, clock);

    @Test
    void loginWithAHashedPasswordIssuesATokenForThePrincipal() {
        LoginResult login = authenticator.login("admin", "admin-pw");

        assertThat(login.principal()).isEqualTo(new Principal("admin", List.of("admin")));
        assertThat(login.token()).matches("[A-Za-z0-9_-]{43}");
        assertThat(Base64.getUrlDecoder().decode(login.token())).hasSize(32);
        assertThat(login.expiresAt()).isEqualTo(Instant.parse("2026-11-24T03:01:00Z"));
        assertThat(authenticator.authenticate(login.token())).isEqualTo(login.principal());
    }

    @Test
    void loginWithAPlainTextPasswordWorks() {
        LoginResult login = authenticator.login("app", "app-pw");

        assertThat(login.principal().roles()).containsExactly("readWrite:shop", "read:logs");
        assertThat(authenticator.authenticate(login.token()).username()).isEqualTo("app");
    }

    @Test
    void everyLoginGetsADifferentToken() {
        assertThat(authenticator.login("app", "app-pw").token())
                .isNotEqualTo(authenticator.login("app", "app-pw").token());
    }

    @Test
    void unknownUserAndWrongPasswordFailIdentically() {
        PydbException unknown = loginFailure("nobody", "admin-pw");
        PydbException wrongHashed = loginFailure("admin", "wrong");
        PydbException wrongPlain = loginFailure("app", "wrong");
        PydbException prefixOfPlain = loginFailure("app", "app-p");

        for (PydbException e : List.of(unknown, wrongHashed, wrongPlain, prefixOfPlain)) {
            assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
            assertThat(e.getMessage()).isEqualTo("invalid username or password");
            assertThat(e.details()).isEmpty();
        }
    }

    @Test
    void aTokenExpiresAfterTheTtl() {
        LoginResult login = authenticator.login("admin", "admin-pw");

        clock.advance(Duration.ofSeconds(59));
        assertThat(authenticator.authenticate(login.token()).username()).isEqualTo("admin");

        clock.advance(Duration.ofSeconds(1));
        assertThatThrownBy(() -> authenticator.authenticate(login.token()))
                .isInstanceOfSatisfying(PydbException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
                    assertThat(e.getMessage()).isEqualTo("invalid or expired token");
                });
        assertThat(authenticator.tokenCount()).isZero();
    }

    @Test
    void logoutRevokesTheTokenEverywhere() {
        LoginResult first = authenticator.login("app", "app-pw");
        LoginResult second = authenticator.login("app", "app-pw");

        authenticator.logout(first.token());

        assertThatThrownBy(() -> authenticator.authenticate(first.token())).isInstanceOf(PydbException.class);
        assertThatThrownBy(() -> authenticator.logout(first.token()))
                .isInstanceOfSatisfying(PydbException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED));
        assertThat(authenticator.authenticate(second.token()).username()).isEqualTo("app");
    }

    @Test
    void unknownAndNullTokensAreRejected() {
        assertThatThrownBy(() -> authenticator.authenticate("no-such-token"))
                .isInstanceOfSatisfying(PydbException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED));
        assertThatThrownBy(() -> authenticator.authenticate(null))
                .isInstanceOfSatisfying(PydbException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED));
    }

    @Test
    void expiredTokensArePurgedByALaterLogin() {
        authenticator.login("app", "app-pw");
        authenticator.login("app", "app-pw");
        assertThat(authenticator.tokenCount()).isEqualTo(2);

        clock.advance(Duration.ofSeconds(60).plus(DefaultAuthenticator.PURGE_INTERVAL));
        LoginResult fresh = authenticator.login("app", "app-pw");

        assertThat(authenticator.tokenCount()).isEqualTo(1);
        assertThat(authenticator.authenticate(fresh.token()).username()).isEqualTo("app");
    }

    @Test
    void noFieldHoldsTheTokenInClear() throws Exception {
        LoginResult login = authenticator.login("admin", "admin-pw");

        List<String> strings = new ArrayList<>();
        collectStrings(authenticator, strings, 0);

        assertThat(strings).isNotEmpty().noneMatch(s -> s.contains(login.token()));
    }

    @Test
    void aTokenInUseIsRejectedRightAfterLogoutAndNoLongerHeldInClear() throws Exception {
        LoginResult login = authenticator.login("app", "app-pw");
        authenticator.authenticate(login.token());
        assertThat(authenticator.recentTokenCount()).isEqualTo(1);

        authenticator.logout(login.token());

        assertThatThrownBy(() -> authenticator.authenticate(login.token()))
                .isInstanceOfSatisfying(PydbException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED));
        assertThat(authenticator.recentTokenCount()).isZero();
        List<String> strings = new ArrayList<>();
        collectStrings(authenticator, strings, 0);
        assertThat(strings).noneMatch(s -> s.contains(login.token()));
    }

    @Test
    void aTokenInUseExpiresOnTime() {
        LoginResult login = authenticator.login("app", "app-pw");
        clock.advance(Duration.ofSeconds(59));
        assertThat(authenticator.authenticate(login.token()).username()).isEqualTo("app");
        assertThat(authenticator.recentTokenCount()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(1));

        assertThatThrownBy(() -> authenticator.authenticate(login.token()))
                .isInstanceOfSatisfying(PydbException.class, e -> assertThat(e.getMessage()).isEqualTo("invalid or expired token"));
        assertThat(authenticator.tokenCount()).isZero();
        assertThat(authenticator.recentTokenCount()).isZero();
    }

    @Test
    void thePurgeAlsoForgetsTokensInUseThatExpired() {
        authenticator.authenticate(authenticator.login("app", "app-pw").token());
        authenticator.authenticate(authenticator.login("admin", "admin-pw").token());
        assertThat(authenticator.recentTokenCount()).isEqualTo(2);

        clock.advance(Duration.ofSeconds(60).plus(DefaultAuthenticator.PURGE_INTERVAL));
        authenticator.login("app", "app-pw");

        assertThat(authenticator.tokenCount()).isEqualTo(1);
        assertThat(authenticator.recentTokenCount()).isZero();
    }

    @Test
    void tokensBeyondTheMemoBoundStillAuthenticate() {
        DefaultAuthenticator small = new DefaultAuthenticator(CONFIG, clock, 2);
        List<String> tokens = List.of(small.login("app", "app-pw").token(), small.login("app", "app-pw").token(),
                small.login("app", "app-pw").token());

        for (int round = 0; round < 2; round++) {
            for (String token : tokens) {
                assertThat(small.authenticate(token).username()).isEqualTo("app");
            }
        }
        assertThat(small.recentTokenCount()).isEqualTo(2);

        small.logout(tokens.get(0));
        assertThat(small.authenticate(tokens.get(2)).username()).isEqualTo("app");
        assertThat(small.recentTokenCount()).isEqualTo(2);
        assertThatThrownBy(() -> small.authenticate(tokens.get(0))).isInstanceOf(PydbException.class);
    }

    @Test
    void unknownTokensAreNotMemoized() {
        for (int i = 0; i < 10; i++) {
            String guess = "guess-" + i;
            assertThatThrownBy(() -> authenticator.authenticate(guess)).isInstanceOf(PydbException.class);
        }

        assertThat(authenticator.recentTokenCount()).isZero();
    }

    @Test
    void aMalformedPasswordHashFailsConstructionNamingTheUser() {
        AuthConfig bad = new AuthConfig(60, List.of(new UserConfig("ops", "pbkdf2-sha256$x$y$z", null, List.of())));

        assertThatThrownBy(() -> new DefaultAuthenticator(bad, clock))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("user 'ops': password hash");
    }

    @Test
    void aDuplicateUsernameFailsConstruction() {
        AuthConfig bad = new AuthConfig(60, List.of(
                new UserConfig("app", null, "a", List.of()), new UserConfig("app", null, "b", List.of())));

        assertThatThrownBy(() -> new DefaultAuthenticator(bad, clock))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'app' is defined twice");
    }

    @Test
    void warnsOncePerPlainTextUserWithoutThePassword() {
        Logger logger = (Logger) LoggerFactory.getLogger(DefaultAuthenticator.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            List<String> warned = DefaultAuthenticator.warnAboutPlainTextPasswords(CONFIG);

            assertThat(warned).containsExactly("app");
            assertThat(appender.list).hasSize(1);
            ILoggingEvent event = appender.list.get(0);
            assertThat(event.getLevel()).isEqualTo(Level.WARN);
            assertThat(event.getFormattedMessage()).contains("'app'").doesNotContain("app-pw");
        } finally {
            logger.detachAppender(appender);
        }
    }

    private static PydbException loginFailure(String username, String password) {
        DefaultAuthenticator fresh = new DefaultAuthenticator(CONFIG, java.time.Clock.systemUTC());
        try {
            fresh.login(username, password);
        } catch (PydbException e) {
            return e;
        }
        throw new AssertionError("login of " + username + " succeeded");
    }

    /** Every String reachable from {@code object} through fields of engine classes, maps and collections. */
    private static void collectStrings(Object object, List<String> out, int depth) throws IllegalAccessException {
        if (object == null || depth > 6) {
            return;
        }
        if (object instanceof String s) {
            out.add(s);
            return;
        }
        if (object instanceof byte[] bytes) {
            out.add(new String(bytes, StandardCharsets.ISO_8859_1));
            return;
        }
        if (object instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                collectStrings(entry.getKey(), out, depth + 1);
                collectStrings(entry.getValue(), out, depth + 1);
            }
            return;
        }
        if (object instanceof Iterable<?> iterable) {
            for (Object element : iterable) {
                collectStrings(element, out, depth + 1);
            }
            return;
        }
        if (!object.getClass().getName().startsWith("dev.pydb.")) {
            return;
        }
        for (Class<?> type = object.getClass(); type != null; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (java.lang.reflect.Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                field.setAccessible(true);
                collectStrings(field.get(object), out, depth + 1);
            }
        }
    }
}
