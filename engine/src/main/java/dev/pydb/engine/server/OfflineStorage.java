package dev.pydb.engine.server;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageContext;
import dev.pydb.api.storage.StorageMetrics;
import dev.pydb.api.storage.StorageOptions;
import dev.pydb.api.storage.StorageProvider;
import dev.pydb.engine.config.EnvConfig;
import dev.pydb.engine.plugin.PluginSource;
import java.nio.file.Path;

/**
 * The configured storage of an environment file for the offline tools ({@code bin/pydb verify},
 * {@code restore}): its provider among the loaded plugins (the engine never names a backend), its
 * resolved path and options, and a context as the server gives it.
 */
public record OfflineStorage(StorageProvider provider, StorageConfig config, StorageContext context) {
    public OfflineStorage {
        requireNonNull(provider, "provider is null");
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
    }

    /** Loads the plugins and picks {@code storage.provider}; {@code ConfigException} for an unknown name. */
    public static OfflineStorage of(EnvConfig config, Path home, PluginSource plugins) {
        Path homeDirectory = home.toAbsolutePath().normalize();
        StorageProvider provider = PydbServer.chooseProvider(config.storage().provider(),
                plugins.load(homeDirectory.resolve(config.plugins().dir()).normalize()));
        Path path = homeDirectory.resolve(config.storage().path()).normalize();
        return new OfflineStorage(provider, new StorageConfig(path, StorageOptions.of(config.storage().options())),
                new EngineStorageContext(homeDirectory, PydbVersion.current(), StorageMetrics.NONE));
    }

    public Path path() {
        return config.path();
    }
}
