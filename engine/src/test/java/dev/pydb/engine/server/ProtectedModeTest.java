package dev.pydb.engine.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.ConfigException;
import dev.pydb.engine.auth.PasswordHasher;
import dev.pydb.engine.auth.WellKnownPasswords;
import dev.pydb.engine.config.EnvConfig;
import dev.pydb.engine.config.EnvConfigBinder;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Protected mode's rule for well-known passwords on a network address (no socket is opened). */
class ProtectedModeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theShippedHashOnANetworkAddressIsRefusedNamingTheUserAndTheOptInButNotThePassword() {
        assertThatThrownBy(() -> ProtectedMode.check(env("0.0.0.0", false, hashed(WellKnownPasswords.SHIPPED_HASH))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.allow_default_credentials_on_network")
                .hasMessageContaining("admin")
                .hasMessageContaining("0.0.0.0")
                .hasMessageNotContaining(WellKnownPasswords.SHIPPED_PASSWORD);
    }

    @Test
    void aNewHashOfTheShippedPasswordIsRecognisedToo() {
        String rehashed = PasswordHasher.hash(WellKnownPasswords.SHIPPED_PASSWORD, PasswordHasher.MIN_ITERATIONS);
        assertThatThrownBy(() -> ProtectedMode.check(env("0.0.0.0", false, hashed(rehashed))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.allow_default_credentials_on_network");
    }

    @Test
    void theShippedPasswordInPlainTextIsRefusedEvenWithPlainTextPasswordsAllowed() {
        ObjectNode user = JSON.createObjectNode().put("username", "admin").put("password", WellKnownPasswords.SHIPPED_PASSWORD);
        EnvConfig config = env("0.0.0.0", false, user);
        EnvConfig plainAllowed = new EnvConfig(config.server().withPlaintextPasswordsOnNetwork(true), config.storage(),
                config.auth(), config.logging(), config.plugins());
        assertThatThrownBy(() -> ProtectedMode.check(plainAllowed))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.allow_default_credentials_on_network");
    }

    @Test
    void anOwnPasswordOrALoopbackAddressStarts() {
        String own = PasswordHasher.hash("a password of my own", PasswordHasher.MIN_ITERATIONS);
        assertThatCode(() -> ProtectedMode.check(env("0.0.0.0", false, hashed(own)))).doesNotThrowAnyException();
        assertThatCode(() -> ProtectedMode.check(env("127.0.0.1", false, hashed(WellKnownPasswords.SHIPPED_HASH))))
                .doesNotThrowAnyException();
    }

    @Test
    void theOptInStartsWithALoudWarning() {
        Logger logger = (Logger) LoggerFactory.getLogger(ProtectedMode.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        logger.addAppender(events);
        try {
            ProtectedMode.check(env("0.0.0.0", true, hashed(WellKnownPasswords.SHIPPED_HASH)));
        } finally {
            logger.detachAppender(events);
        }
        assertThat(events.list).singleElement().satisfies(event -> {
            assertThat(event.getLevel().toString()).isEqualTo("WARN");
            assertThat(event.getFormattedMessage()).contains("SECURITY WARNING").contains("admin")
                    .doesNotContain(WellKnownPasswords.SHIPPED_PASSWORD);
        });
    }

    private static ObjectNode hashed(String hash) {
        return JSON.createObjectNode().put("username", "admin").put("password_hash", hash);
    }

    private static EnvConfig env(String host, boolean allowDefaultCredentials, ObjectNode user) {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("server").put("host", host).put("allow_default_credentials_on_network", allowDefaultCredentials);
        root.putObject("storage").put("provider", "memory");
        user.putArray("roles").add("admin");
        root.putObject("auth").putArray("users").add(user);
        return EnvConfigBinder.bind(root);
    }
}
