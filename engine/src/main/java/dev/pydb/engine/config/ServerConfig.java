package dev.pydb.engine.config;

import static java.util.Objects.requireNonNull;

/**
 * The {@code server} section. Keys of the contract: {@code host} (default 127.0.0.1),
 * {@code port} (default 9440; 0 = an ephemeral port, for tests), {@code max_connections}
 * (default 1024), {@code max_query_length} (default 16 MiB). Additive keys of py_db:
 * {@code max_document_bytes} (default 1 MiB), {@code max_batch_ops} (default 1000),
 * {@code idle_timeout_seconds} (default 300: a connection with no request in flight is closed
 * after this long), {@code frame_timeout_seconds} (default 30: once a frame has begun, all of it
 * must arrive within this time).
 */
public record ServerConfig(
        String host,
        int port,
        int maxConnections,
        int maxQueryLength,
        int maxDocumentBytes,
        int maxBatchOps,
        int idleTimeoutSeconds,
        int frameTimeoutSeconds) {
    public static final int DEFAULT_PORT = 9440;
    public static final int DEFAULT_MAX_CONNECTIONS = 1024;
    public static final int DEFAULT_MAX_QUERY_LENGTH = 16 * 1024 * 1024;
    public static final int DEFAULT_MAX_DOCUMENT_BYTES = 1024 * 1024;
    public static final int DEFAULT_MAX_BATCH_OPS = 1000;
    public static final int DEFAULT_IDLE_TIMEOUT_SECONDS = 300;
    public static final int DEFAULT_FRAME_TIMEOUT_SECONDS = 30;

    public ServerConfig {
        requireNonNull(host, "host is null");
    }

    /** All defaults, listening on {@code host:port}. */
    public static ServerConfig defaults(String host, int port) {
        return new ServerConfig(host, port, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_QUERY_LENGTH,
                DEFAULT_MAX_DOCUMENT_BYTES, DEFAULT_MAX_BATCH_OPS, DEFAULT_IDLE_TIMEOUT_SECONDS,
                DEFAULT_FRAME_TIMEOUT_SECONDS);
    }
}
