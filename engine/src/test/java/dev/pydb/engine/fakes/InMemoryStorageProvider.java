package dev.pydb.engine.fakes;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageContext;
import dev.pydb.api.storage.StorageProvider;
import java.util.ArrayList;
import java.util.List;

/** A storage provider of {@link InMemoryStorage}s that remembers what it opened and how. */
public class InMemoryStorageProvider implements StorageProvider {
    private final String name;
    private final List<InMemoryStorage> opened = new ArrayList<>();
    private volatile ClassLoader contextClassLoaderAtOpen;
    private volatile StorageConfig lastConfig;
    private volatile StorageContext lastContext;

    public InMemoryStorageProvider(String name) {
        this.name = requireNonNull(name, "name is null");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized Storage open(StorageConfig config, StorageContext context) {
        contextClassLoaderAtOpen = Thread.currentThread().getContextClassLoader();
        lastConfig = config;
        lastContext = context;
        InMemoryStorage storage = new InMemoryStorage();
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
