package dev.pydb.api.storage;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * The {@code storage} section of the environment file: {@code path} (absolute, resolved against
 * the home folder) and the provider-specific {@code options}.
 */
public record StorageConfig(Path path, StorageOptions options) {
    public StorageConfig {
        requireNonNull(path, "path is null");
        requireNonNull(options, "options is null");
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException("path must be absolute: " + path);
        }
    }
}
