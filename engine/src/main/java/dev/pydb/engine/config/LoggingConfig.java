package dev.pydb.engine.config;

import static java.util.Objects.requireNonNull;

/**
 * The {@code logging} section: {@code level} (TRACE, DEBUG, INFO, WARN, ERROR; default INFO),
 * {@code console} (default true), {@code file} (default {@code logs/py_db.log}, relative to the
 * home folder; {@code null} = no file).
 */
public record LoggingConfig(String level, boolean console, String file) {
    public LoggingConfig {
        requireNonNull(level, "level is null");
    }
}
