package dev.pydb.engine.plugin;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/** A plugin could not be loaded; the server does not start. The message names the plugin's path and the reason. */
public class PluginLoadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path plugin;

    public PluginLoadException(Path plugin, String reason) {
        this(plugin, reason, null);
    }

    public PluginLoadException(Path plugin, String reason, Throwable cause) {
        super("plugin " + requireNonNull(plugin, "plugin is null") + ": " + requireNonNull(reason, "reason is null"), cause);
        this.plugin = plugin;
    }

    /** The plugin's jar or folder. */
    public Path plugin() {
        return plugin;
    }
}
