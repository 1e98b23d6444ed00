package dev.pydb.engine.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The {@code storage} section: {@code provider} (required), {@code path} (default
 * {@code data/py_db}, relative to the home folder), {@code options} (default {}; validated by the
 * provider).
 */
public record StorageSection(String provider, String path, ObjectNode options) {
    public StorageSection {
        requireNonNull(provider, "provider is null");
        requireNonNull(path, "path is null");
        requireNonNull(options, "options is null");
    }
}
