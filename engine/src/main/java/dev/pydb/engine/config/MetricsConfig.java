package dev.pydb.engine.config;

import static java.util.Objects.requireNonNull;

/**
 * The {@code server.metrics} section: {@code enabled} (default false), {@code host} (default
 * 127.0.0.1) and {@code port} (default 9441; 0 = an ephemeral port, for tests). When enabled,
 * the server answers {@code GET /metrics} (Prometheus text format) and {@code GET /health} over
 * HTTP on {@code host:port}, without authentication.
 */
public record MetricsConfig(boolean enabled, String host, int port) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9441;
    public static final MetricsConfig DISABLED = new MetricsConfig(false, DEFAULT_HOST, DEFAULT_PORT);

    public MetricsConfig {
        requireNonNull(host, "host is null");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
        }
    }
}
