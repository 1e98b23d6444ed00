package dev.pydb.storage.tck;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.storage.StorageContext;
import java.nio.file.Path;

/** The {@link StorageContext} the compliance kit opens storages with: a home folder and a fixed version. */
public record KitStorageContext(Path homeDirectory, String serverVersion) implements StorageContext {
    public static final String VERSION = "0.1.0-tck";

    public KitStorageContext {
        requireNonNull(homeDirectory, "homeDirectory is null");
        requireNonNull(serverVersion, "serverVersion is null");
    }

    public static KitStorageContext at(Path homeDirectory) {
        return new KitStorageContext(homeDirectory, VERSION);
    }
}
