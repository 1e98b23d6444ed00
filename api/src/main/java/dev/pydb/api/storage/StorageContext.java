package dev.pydb.api.storage;

import java.nio.file.Path;

/** What the server tells a storage when opening it. Implemented by the engine. */
public interface StorageContext {
    /** The server's home folder (the distribution's top folder); relative paths are resolved against it. */
    Path homeDirectory();

    /** The server's version, e.g. {@code 0.1.0}. */
    String serverVersion();

    /** Where the storage reports commit and checkpoint timings for the server's metrics. */
    default StorageMetrics metrics() {
        return StorageMetrics.NONE;
    }
}
