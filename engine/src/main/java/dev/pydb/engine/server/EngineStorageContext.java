package dev.pydb.engine.server;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.storage.StorageContext;
import java.nio.file.Path;

/** What the engine tells a storage provider when opening it. */
record EngineStorageContext(Path homeDirectory, String serverVersion) implements StorageContext {
    EngineStorageContext {
        requireNonNull(homeDirectory, "homeDirectory is null");
        requireNonNull(serverVersion, "serverVersion is null");
    }
}
