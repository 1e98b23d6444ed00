package dev.pydb.engine.plugin;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/** A plugin could not be loaded; the message names the plugin's path and the reason. The server does not start. */
public class PluginLoadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PluginLoadException(Path plugin, String reason) {
        super(message(plugin, reason));
    }

    public PluginLoadException(Path plugin, String reason, Throwable cause) {
        super(message(plugin, reason), cause);
    }

    private static String message(Path plugin, String reason) {
        return "plugin " + requireNonNull(plugin, "plugin is null") + ": " + requireNonNull(reason, "reason is null");
    }
}
