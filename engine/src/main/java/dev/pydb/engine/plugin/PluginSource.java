package dev.pydb.engine.plugin;

import java.nio.file.Path;
import java.util.List;

/** Where the server's plugins come from: every entry of the plugins folder, loaded in isolation. */
public interface PluginSource {
    /**
     * Loads every plugin under {@code pluginsDir}.
     *
     * @return the loaded plugins; empty if the folder does not exist
     * @throws PluginLoadException if a plugin cannot be loaded
     */
    List<LoadedPlugin> load(Path pluginsDir);
}
