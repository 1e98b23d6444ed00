package dev.pydb.engine.actions;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What STATS reports about the server's make-up: the storage provider in use and the loaded
 * plugins. Built from the engine's {@code ServerInfo} (see {@link StatsAction}).
 */
record ServerDescription(String storageProvider, List<Plugin> plugins) {
    static final ServerDescription UNKNOWN = new ServerDescription("unknown", List.of());

    ServerDescription {
        requireNonNull(storageProvider, "storageProvider is null");
        plugins = List.copyOf(plugins);
    }

    /** One loaded plugin: its name and the storage providers and actions it adds. */
    record Plugin(String name, List<String> storageProviders, List<String> actions) {
        Plugin {
            requireNonNull(name, "name is null");
            storageProviders = List.copyOf(storageProviders);
            actions = List.copyOf(actions);
        }
    }
}
