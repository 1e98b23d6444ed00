package dev.pydb.e2e;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Environment files for tests, with the keys of the protocol's contract (plus the protected-mode opt-in where needed). The one user,
 * {@link #USER}, is an admin with a plain-text password (accepted by the server with a warning;
 * on a non-loopback host, such as 0.0.0.0 in Docker, only with
 * {@code server.allow_plaintext_passwords_on_network}).
 */
final class EnvFile {
    static final String USER = "e2e-admin";
    static final String PASSWORD = "e2e-password-for-tests-only";

    private EnvFile() {}

    /**
     * An environment: listen on {@code host:port}, store with {@code provider} under
     * {@code dataPath}, log to the console and to {@code logFile} ({@code null}: console only).
     */
    static ObjectNode of(String host, int port, String provider, String dataPath, String logFile) {
        requireNonNull(host, "host is null");
        requireNonNull(provider, "provider is null");
        requireNonNull(dataPath, "dataPath is null");
        ObjectNode env = RawWireClient.JSON.createObjectNode();
        ObjectNode server = env.putObject("server").put("host", host).put("port", port);
        if (!host.startsWith("127.") && !host.equals("localhost") && !host.equals("::1")) {
            // Protected mode: a plain-text password on a network address needs this opt-in.
            server.put("allow_plaintext_passwords_on_network", true);
        }
        ObjectNode storage = env.putObject("storage").put("provider", provider).put("path", dataPath);
        storage.putObject("options");
        ObjectNode auth = env.putObject("auth").put("token_ttl_seconds", 3600);
        ObjectNode user = auth.putArray("users").addObject().put("username", USER).put("password", PASSWORD);
        user.putArray("roles").add("admin");
        env.putObject("logging").put("level", "INFO").put("console", true).put("file", logFile);
        env.putObject("plugins").put("dir", "plugins");
        return env;
    }

    static Path write(ObjectNode env, Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            RawWireClient.JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), env);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
