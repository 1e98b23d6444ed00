package dev.pydb.engine.config;

import static java.util.Objects.requireNonNull;

/** The {@code plugins} section: {@code dir} (default {@code plugins}, relative to the home folder). */
public record PluginsConfig(String dir) {
    public PluginsConfig {
        requireNonNull(dir, "dir is null");
    }
}
