package dev.pydb.engine.plugin;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.storage.StorageProvider;
import java.nio.file.Path;
import java.util.List;

/**
 * One loaded plugin: its name, where it was loaded from ({@link #CLASS_PATH} or the plugin's
 * path), its own class loader, and the storage providers and action handlers it contributes, each
 * wrapped so that calls into it run with {@code classLoader} as the thread context class loader.
 */
public record LoadedPlugin(String name, String location, ClassLoader classLoader,
        List<StorageProvider> storageProviders, List<ActionHandler> actionHandlers) {
    /** The {@link #location} of the server's own class path, which is loaded like one more plugin. */
    public static final String CLASS_PATH = "class path";

    public LoadedPlugin {
        requireNonNull(name, "name is null");
        requireNonNull(location, "location is null");
        requireNonNull(classLoader, "classLoader is null");
        storageProviders = List.copyOf(storageProviders);
        actionHandlers = List.copyOf(actionHandlers);
    }

    /** A plugin loaded from {@code path} (a folder of jars or one jar). */
    public LoadedPlugin(String name, Path path, ClassLoader classLoader,
            List<StorageProvider> storageProviders, List<ActionHandler> actionHandlers) {
        this(name, requireNonNull(path, "path is null").toString(), classLoader, storageProviders, actionHandlers);
    }

    /** Whether this is the server's class path rather than an entry of the plugins folder. */
    public boolean isClassPath() {
        return CLASS_PATH.equals(location);
    }

    /** Where its names come from, for messages: {@code class path} or {@code plugin <path>}. */
    public String origin() {
        return isClassPath() ? CLASS_PATH : "plugin " + location;
    }
}
