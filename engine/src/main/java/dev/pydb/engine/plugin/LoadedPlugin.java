package dev.pydb.engine.plugin;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.storage.StorageProvider;
import java.nio.file.Path;
import java.util.List;

/**
 * One loaded plugin: its name, where it was loaded from, its own class loader, and the storage
 * providers and action handlers it contributes.
 */
public record LoadedPlugin(String name, Path path, ClassLoader classLoader,
        List<StorageProvider> storageProviders, List<ActionHandler> actionHandlers) {
    public LoadedPlugin {
        requireNonNull(name, "name is null");
        requireNonNull(path, "path is null");
        requireNonNull(classLoader, "classLoader is null");
        storageProviders = List.copyOf(storageProviders);
        actionHandlers = List.copyOf(actionHandlers);
    }
}
