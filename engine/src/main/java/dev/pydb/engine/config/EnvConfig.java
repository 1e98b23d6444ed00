package dev.pydb.engine.config;

import static java.util.Objects.requireNonNull;

/**
 * The whole environment file, bound strictly by {@code EnvConfigBinder}. Section records are
 * immutable and already validated; defaults are applied by the binder.
 */
public record EnvConfig(
        ServerConfig server,
        StorageSection storage,
        AuthConfig auth,
        LoggingConfig logging,
        PluginsConfig plugins) {
    public EnvConfig {
        requireNonNull(server, "server is null");
        requireNonNull(storage, "storage is null");
        requireNonNull(auth, "auth is null");
        requireNonNull(logging, "logging is null");
        requireNonNull(plugins, "plugins is null");
    }
}
