package dev.pydb.storage.mapdb;

import dev.pydb.api.storage.StorageContext;
import java.nio.file.Path;

/** A fixed {@link StorageContext} for tests. */
record TestContext(Path homeDirectory) implements StorageContext {
    @Override
    public String serverVersion() {
        return "0.1.0-test";
    }
}
