package dev.pydb.engine.plugin;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageContext;
import dev.pydb.api.storage.StorageProvider;
import dev.pydb.api.storage.StorageVerifier;
import java.util.Optional;

/**
 * A plugin's {@link StorageProvider} called with the plugin's class loader as the thread context
 * class loader; the storage it opens is wrapped in a {@link ContextClassLoaderStorage}.
 */
public final class ContextClassLoaderStorageProvider implements StorageProvider {
    private final StorageProvider delegate;
    private final ClassLoader classLoader;

    private ContextClassLoaderStorageProvider(StorageProvider delegate, ClassLoader classLoader) {
        this.delegate = requireNonNull(delegate, "delegate is null");
        this.classLoader = requireNonNull(classLoader, "classLoader is null");
    }

    /** {@code provider}, called with {@code classLoader} as the context class loader. */
    public static StorageProvider wrap(StorageProvider provider, ClassLoader classLoader) {
        return new ContextClassLoaderStorageProvider(provider, classLoader);
    }

    /** The plugin's own provider. */
    public StorageProvider delegate() {
        return delegate;
    }

    @Override
    public String name() {
        return ContextClassLoaderSwap.with(classLoader, delegate::name);
    }

    @Override
    public Storage open(StorageConfig config, StorageContext context) {
        Storage storage = ContextClassLoaderSwap.with(classLoader, () -> delegate.open(config, context));
        return ContextClassLoaderStorage.wrap(storage, classLoader);
    }

    @Override
    public Optional<StorageVerifier> verifier() {
        return ContextClassLoaderSwap.with(classLoader, delegate::verifier)
                .map(verifier -> ContextClassLoaderProxy.wrap(StorageVerifier.class, verifier, classLoader));
    }

    @Override
    public String toString() {
        return delegate.getClass().getName() + " (context class loader " + classLoader + ")";
    }
}
