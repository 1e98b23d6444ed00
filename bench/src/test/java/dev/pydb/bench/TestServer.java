package dev.pydb.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.engine.auth.DefaultAuthenticator;
import dev.pydb.engine.config.EnvConfigBinder;
import dev.pydb.engine.plugin.PluginLoader;
import dev.pydb.engine.server.PydbServer;
import dev.pydb.engine.server.ServerComponents;
import dev.pydb.engine.transport.TcpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * A real py_db server in-process: the production transport, authenticator and the json backend
 * (found on the test class path by ServiceLoader), on port 0. Users: {@code admin}, {@code app} (readWrite:shop) and
 * {@code reader} (read:shop); each password is the user name plus {@code -pw}.
 */
final class TestServer implements AutoCloseable {
    static final long TOKEN_TTL_SECONDS = 60;

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
        ServerComponents components = new ServerComponents(new PluginLoader(), DefaultAuthenticator::new, TcpServer::new,
                Clock.systemUTC(), Duration.ofSeconds(2));
        this.server = PydbServer.start(EnvConfigBinder.bind(env), home, components, Optional.empty());
    }

    /** Starts a server on a free port. */
    static TestServer start(Path home) {
        return new TestServer(home, 0);
    }

    int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
    }
}
