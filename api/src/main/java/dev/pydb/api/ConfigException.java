package dev.pydb.api;

import static java.util.Objects.requireNonNull;

/**
 * A configuration value is unknown, missing or invalid. It names the key by its full path in
 * the environment file (for example {@code storage.options.map_size}); the server refuses to
 * start and prints the message.
 */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String key;

    public ConfigException(String key, String problem) {
        super(requireNonNull(key, "key is null") + ": " + requireNonNull(problem, "problem is null"));
        this.key = key;
    }

    /** The full path of the offending key, e.g. {@code server.port}. */
    public String key() {
        return key;
    }
}
