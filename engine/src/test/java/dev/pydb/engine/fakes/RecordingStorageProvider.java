package dev.pydb.engine.fakes;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageContext;
import dev.pydb.api.storage.StorageProvider;
import dev.pydb.storage.tck.memory.InMemoryStorage;
import dev.pydb.storage.tck.memory.InMemoryStorageProvider;
import java.util.ArrayList;
import java.util.List;

/**
 * A provider of the kit's {@link InMemoryStorage}s that remembers what it opened and how: the
 * config, the context and the thread context class loader of the last {@code open}.
 */
public class RecordingStorageProvider implements StorageProvider {
    private final InMemoryStorageProvider memory;
    private final List<InMemoryStorage> opened = new ArrayList<>();
    private volatile ClassLoader contextClassLoaderAtOpen;
    private volatile StorageConfig lastConfig;
    private volatile StorageContext lastContext;

    public RecordingStorageProvider(String name) {
        this.memory = new InMemoryStorageProvider(requireNonNull(name, "name is null"));
    }

    @Override
    public String name() {
        return memory.name();
    }

    @Override
    public synchronized InMemoryStorage open(StorageConfig config, StorageContext context) {
        contextClassLoaderAtOpen = Thread.currentThread().getContextClassLoader();
        lastConfig = config;
        lastContext = context;
        InMemoryStorage storage = memory.open(config, context);
        opened.add(storage);
        return storage;
    }

    public synchronized InMemoryStorage lastOpened() {
        return opened.get(opened.size() - 1);
    }

    public ClassLoader contextClassLoaderAtOpen() {
        return contextClassLoaderAtOpen;
    }

    public StorageConfig lastConfig() {
        return lastConfig;
    }

    public StorageContext lastContext() {
        return lastContext;
    }
}
