package dev.pydb.engine.plugin;

import java.nio.file.Path;
import java.util.List;

/**
 * Finds the storage providers and action handlers of the server: those on its own class path (the
 * engine's built-in actions, backends put there in tests) and those of each plugin in the plugins
 * folder. It is the one place where names are checked for duplicates.
 */
public interface PluginSource {
    /**
     * Loads the class path (first, as a {@link LoadedPlugin} whose location is
     * {@link LoadedPlugin#CLASS_PATH}) and every plugin in {@code pluginsDir}, in a deterministic
     * order. No two of the returned providers, and no two handlers, share a name.
     *
     * @return the class path and the loaded plugins (only the class path if {@code pluginsDir} does not exist)
     * @throws PluginLoadException if a plugin cannot be loaded, naming the plugin's path and the reason
     */
    List<LoadedPlugin> load(Path pluginsDir);
}
