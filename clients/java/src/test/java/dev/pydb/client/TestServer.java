package dev.pydb.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.engine.config.EnvConfigBinder;
import dev.pydb.engine.server.PydbServer;
import dev.pydb.engine.server.ServerComponents;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A real py_db server in-process, shared by the client, cli and bench tests (this module's
 * test-jar): the production transport, authenticator and the json backend
 * (found on the test class path by ServiceLoader, as are the test actions), on port 0, with
 * a clock the test controls. Users: {@code admin}, {@code app} (readWrite:shop) and
 * {@code reader} (read:shop); each password is the user name plus {@code -pw}.
 */
public final class TestServer implements AutoCloseable {
    public static final long TOKEN_TTL_SECONDS = 60;

    private final MutableClock clock = new MutableClock();
    private final PydbServer server;

    private TestServer(Path home, int port) {
        ObjectNode env;
        try {
            env = (ObjectNode) new ObjectMapper().readTree("""
                    {"server": {"host": "127.0.0.1", "port": %d},
                     "storage": {"provider": "json", "path": "data/py_db"},
                     "auth": {"token_ttl_seconds": %d, "users": [
                       {"username": "admin", "password": "admin-pw", "roles": ["admin"]},
                       {"username": "app", "password": "app-pw", "roles": ["readWrite:shop"]},
                       {"username": "reader", "password": "reader-pw", "roles": ["read:shop"]}]},
                     "logging": {"level": "WARN", "console": false}}
                    """.formatted(port, TOKEN_TTL_SECONDS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ServerComponents components = ServerComponents.production(clock, Duration.ofSeconds(2));
        this.server = PydbServer.start(EnvConfigBinder.bind(env), home, components, Optional.empty());
    }

    /** Starts a server on a free port. */
    public static TestServer start(Path home) {
        return new TestServer(home, 0);
    }

    /** Starts a server on a given port (to restart one where a client expects it). */
    public static TestServer start(Path home, int port) {
        return new TestServer(home, port);
    }

    public int port() {
        return server.port();
    }

    public MutableClock clock() {
        return clock;
    }

    public PydbClientConfig.Builder config(String username) {
        return PydbClientConfig.builder("127.0.0.1", port()).credentials(username, username + "-pw");
    }

    public PydbClient client(String username) {
        return PydbClient.connect(config(username).build());
    }

    @Override
    public void close() {
        server.close();
    }
}
