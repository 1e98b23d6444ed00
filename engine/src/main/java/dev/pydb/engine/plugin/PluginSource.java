package dev.pydb.engine.plugin;

import java.nio.file.Path;
import java.util.List;

/** Finds the plugins of a plugins folder and loads their storage providers and action handlers. */
public interface PluginSource {
    /**
     * Loads every plugin in {@code pluginsDir}, in a deterministic order.
     *
     * @return the loaded plugins; empty if {@code pluginsDir} does not exist
     * @throws PluginLoadException if a plugin cannot be loaded, naming the plugin's path and the reason
     */
    List<LoadedPlugin> load(Path pluginsDir);
}
