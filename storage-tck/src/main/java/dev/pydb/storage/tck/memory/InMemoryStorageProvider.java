package dev.pydb.storage.tck.memory;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageContext;
import dev.pydb.api.storage.StorageProvider;

/**
 * The provider of the kit's {@link InMemoryStorage}: every {@link #open} returns a new, empty
 * storage, whatever the path (it reads and writes no file). It takes no options. It is not listed
 * in {@code META-INF/services}, so a server never offers it; tests create it directly.
 */
public final class InMemoryStorageProvider implements StorageProvider {
    /** The name of the no-argument provider and storage. */
    public static final String DEFAULT_NAME = "memory";

    private final String name;

    /** A provider named {@code "memory"}. */
    public InMemoryStorageProvider() {
        this(DEFAULT_NAME);
    }

    /** A provider with this name, e.g. to stand for a second backend in a test. */
    public InMemoryStorageProvider(String name) {
        this.name = requireNonNull(name, "name is null");
    }

    @Override
    public String name() {
        return name;
    }

    /** A new, empty {@link InMemoryStorage}; fails with a {@code ConfigException} on any option. */
    @Override
    public InMemoryStorage open(StorageConfig config, StorageContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        config.options().requireOnly();
        return new InMemoryStorage(name);
    }

    @Override
    public String toString() {
        return "InMemoryStorageProvider[" + name + "]";
    }
}
