package dev.pydb.engine.stats;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What the running server is made of, for STATS: the server version, the storage provider in
 * use, and the plugins loaded with what each provides. Fixed at start.
 */
public record ServerInfo(String version, String storageProvider, List<PluginInfo> plugins) {
    public ServerInfo {
        requireNonNull(version, "version is null");
        requireNonNull(storageProvider, "storageProvider is null");
        plugins = List.copyOf(plugins);
    }

    /** One loaded plugin: its name, its path, the storage provider names and action names it provides. */
    public record PluginInfo(String name, String path, List<String> storageProviders, List<String> actions) {
        public PluginInfo {
            requireNonNull(name, "name is null");
            requireNonNull(path, "path is null");
            storageProviders = List.copyOf(storageProviders);
            actions = List.copyOf(actions);
        }
    }
}
