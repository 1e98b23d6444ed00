package dev.pydb.engine.server;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.storage.StorageContext;
import dev.pydb.api.storage.StorageMetrics;
import java.nio.file.Path;

/** What the engine tells a storage provider when opening it; {@code metrics} is the server's meters when enabled. */
record EngineStorageContext(Path homeDirectory, String serverVersion, StorageMetrics metrics) implements StorageContext {
    EngineStorageContext {
        requireNonNull(homeDirectory, "homeDirectory is null");
        requireNonNull(serverVersion, "serverVersion is null");
        requireNonNull(metrics, "metrics is null");
    }
}
