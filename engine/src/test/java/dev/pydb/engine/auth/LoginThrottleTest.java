package dev.pydb.engine.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.engine.config.AuthConfig;
import dev.pydb.engine.config.UserConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LoginThrottleTest {
    private static final String ADDRESS = "10.0.0.7";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T04:00:00Z"));
    private final Authenticator authenticator = new DefaultAuthenticator(new AuthConfig(3600, List.of(
            new UserConfig("app", PasswordHasher.hash("right", 1000), null, List.of("read:*")))), clock);
    private final LoginThrottle throttle = new LoginThrottle(5, Duration.ofSeconds(5), Duration.ofSeconds(60), clock);
    private final Logger throttleLog = (Logger) LoggerFactory.getLogger(LoginThrottle.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void captureLog() {
        logged.start();
        throttleLog.addAppender(logged);
    }

    @AfterEach
    void releaseLog() {
        throttleLog.detachAppender(logged);
    }

    @Test
    void hundredWrongPasswordsInARowAreThrottledAndTheRightOneWorksAfterTheLockout() {
        int refused = 0;
        for (int i = 1; i <= 100; i++) {
            PydbException e = catchThrowableOfType(PydbException.class, () -> login("app", "wrong", ADDRESS));
            assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
            if (e.getMessage().startsWith("too many failed logins")) {
                refused++;
            }
            if (i == 100) {
                assertThat(e.getMessage()).as("the 100th attempt").isEqualTo("too many failed logins for this user or from"
                        + " this address; retry in 5 s");
            }
        }
        assertThat(refused).isEqualTo(95);
        assertThatThrownBy(() -> login("app", "right", ADDRESS)).as("right password, still locked out")
                .hasMessageStartingWith("too many failed logins");
        assertThatThrownBy(() -> login("app", "right", "10.0.0.8")).as("the user is locked from every address")
                .hasMessageStartingWith("too many failed logins");

        clock.advance(Duration.ofSeconds(5));
        assertThat(login("app", "right", ADDRESS).principal().username()).isEqualTo("app");
        assertThat(logged.list).as("one warning per burst, no password").hasSize(1);
        assertThat(logged.list.get(0).getFormattedMessage()).contains("user 'app'").doesNotContain("wrong", "right");
    }

    @Test
    void eachFailureAfterALockoutDoublesItUpToTheCap() {
        for (int i = 0; i < 5; i++) {
            failAndIgnore("app", ADDRESS);
        }
        assertThat(retryAfter("app", ADDRESS)).isEqualTo(5);
        clock.advance(Duration.ofSeconds(5));
        failAndIgnore("app", ADDRESS);
        assertThat(retryAfter("app", ADDRESS)).isEqualTo(10);
        for (int round = 0; round < 6; round++) {
            clock.advance(Duration.ofSeconds(60));
            failAndIgnore("app", ADDRESS);
        }
        assertThat(retryAfter("app", ADDRESS)).as("capped").isEqualTo(60);
    }

    @Test
    void unknownUsersAreThrottledLikeKnownOnesSoTheReplyRevealsNothing() {
        for (int i = 0; i < 5; i++) {
            failAndIgnore("app", "10.0.0.1");
            failAndIgnore("nobody", "10.0.0.2");
        }
        PydbException known = catchThrowableOfType(PydbException.class, () -> login("app", "x", "10.0.0.3"));
        PydbException unknown = catchThrowableOfType(PydbException.class, () -> login("nobody", "x", "10.0.0.4"));
        assertThat(known.getMessage()).isEqualTo(unknown.getMessage());
        assertThat(known.code()).isEqualTo(unknown.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
    }

    @Test
    void anAddressGuessingManyUsernamesIsLockedOut() {
        for (int i = 0; i < 5; i++) {
            failAndIgnore("user" + i, ADDRESS);
        }
        assertThatThrownBy(() -> login("app", "right", ADDRESS)).hasMessageStartingWith("too many failed logins");
        assertThat(login("app", "right", "10.0.0.9").principal().username()).as("other addresses are fine").isEqualTo("app");
    }

    @Test
    void aSuccessClearsTheCountAndOldFailuresAreForgotten() {
        for (int i = 0; i < 4; i++) {
            failAndIgnore("app", ADDRESS);
        }
        login("app", "right", ADDRESS);
        for (int i = 0; i < 4; i++) {
            failAndIgnore("app", ADDRESS);
        }
        clock.advance(Duration.ofSeconds(61));
        failAndIgnore("app", ADDRESS);
        assertThat(login("app", "right", ADDRESS).principal().username()).isEqualTo("app");
    }

    @Test
    void hostOfDropsThePort() {
        assertThat(LoginThrottle.hostOf("10.0.0.7:51234")).isEqualTo("10.0.0.7");
        assertThat(LoginThrottle.hostOf("[::1]:51234")).isEqualTo("[::1]");
        assertThat(LoginThrottle.hostOf("::1")).isEqualTo("::1");
        assertThat(LoginThrottle.hostOf("somewhere")).isEqualTo("somewhere");
    }

    /** What {@code LoginAction} does around the authenticator. */
    private LoginResult login(String username, String password, String address) {
        throttle.checkAllowed(username, address);
        try {
            LoginResult result = authenticator.login(username, password);
            throttle.succeeded(username, address);
            return result;
        } catch (PydbException e) {
            throttle.failed(username, address);
            throw e;
        }
    }

    private void failAndIgnore(String username, String address) {
        assertThatThrownBy(() -> login(username, "wrong", address)).isInstanceOf(PydbException.class);
    }

    private long retryAfter(String username, String address) {
        PydbException e = catchThrowableOfType(PydbException.class, () -> throttle.checkAllowed(username, address));
        String message = e.getMessage();
        return Long.parseLong(message.substring(message.indexOf("retry in ") + 9, message.length() - 2));
    }
}
