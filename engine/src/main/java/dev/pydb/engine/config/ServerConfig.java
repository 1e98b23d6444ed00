package dev.pydb.engine.config;

import static java.util.Objects.requireNonNull;

/**
 * The {@code server} section. Keys of the contract: {@code host} (default 127.0.0.1),
 * {@code port} (default 9440; 0 = an ephemeral port, for tests), {@code max_connections}
 * (default 1024), {@code max_query_length} (default 16 MiB). Additive keys of py_db:
 * {@code max_document_bytes} (default 1 MiB), {@code max_batch_ops} (default 1000),
 * {@code idle_timeout_seconds} (default 300: a connection with no request in flight is closed
 * after this long), {@code frame_timeout_seconds} (default 30: once a frame has begun, all of it
 * must arrive within this time), {@code max_unauthenticated_query_length} (default 64 KiB, at
 * most {@code max_query_length}: the frame limit until a request on the connection has
 * authenticated), {@code allow_plaintext_passwords_on_network} (default false: protected mode
 * refuses to listen on a non-loopback address while a user has a plain-text password),
 * {@code allow_default_credentials_on_network} (default false: the server refuses to listen on a
 * non-loopback address while a user keeps the shipped password, plain or hashed),
 * {@code tls} (see {@link TlsConfig}; default off), {@code metrics} (see {@link MetricsConfig};
 * default off) and the pre-authentication limits {@code max_unauthenticated_connections},
 * {@code max_unauthenticated_connections_per_address} and {@code unauthenticated_timeout_seconds}
 * (see {@link PreAuthConfig}; defaults derived from {@code max_connections} and
 * {@code idle_timeout_seconds}).
 */
public record ServerConfig(
        String host,
        int port,
        int maxConnections,
        int maxQueryLength,
        int maxDocumentBytes,
        int maxBatchOps,
        int idleTimeoutSeconds,
        int frameTimeoutSeconds,
        int maxUnauthenticatedQueryLength,
        boolean allowPlaintextPasswordsOnNetwork,
        TlsConfig tls,
        boolean allowDefaultCredentialsOnNetwork,
        MetricsConfig metrics,
        PreAuthConfig preAuth) {
    public static final int DEFAULT_PORT = 9440;
    public static final int DEFAULT_MAX_CONNECTIONS = 1024;
    public static final int DEFAULT_MAX_QUERY_LENGTH = 16 * 1024 * 1024;
    public static final int DEFAULT_MAX_DOCUMENT_BYTES = 1024 * 1024;
    public static final int DEFAULT_MAX_BATCH_OPS = 1000;
    public static final int DEFAULT_IDLE_TIMEOUT_SECONDS = 300;
    public static final int DEFAULT_FRAME_TIMEOUT_SECONDS = 30;
    public static final int DEFAULT_MAX_UNAUTHENTICATED_QUERY_LENGTH = 64 * 1024;

    public ServerConfig {
        requireNonNull(host, "host is null");
        requireNonNull(tls, "tls is null");
        requireNonNull(metrics, "metrics is null");
        requireNonNull(preAuth, "preAuth is null");
        if (maxConnections > 0 && preAuth.maxConnections() > maxConnections) {
            throw new IllegalArgumentException("max_unauthenticated_connections (" + preAuth.maxConnections()
                    + ") must not be larger than max_connections (" + maxConnections + ")");
        }
        if (idleTimeoutSeconds > 0 && preAuth.timeoutSeconds() > idleTimeoutSeconds) {
            throw new IllegalArgumentException("unauthenticated_timeout_seconds (" + preAuth.timeoutSeconds()
                    + ") must not be larger than idle_timeout_seconds (" + idleTimeoutSeconds + ")");
        }
        if (maxUnauthenticatedQueryLength > maxQueryLength) {
            throw new IllegalArgumentException("max_unauthenticated_query_length (" + maxUnauthenticatedQueryLength
                    + ") must not be larger than max_query_length (" + maxQueryLength + ")");
        }
    }

    /** With the default pre-authentication limits ({@link PreAuthConfig#defaults}). */
    public ServerConfig(String host, int port, int maxConnections, int maxQueryLength, int maxDocumentBytes,
            int maxBatchOps, int idleTimeoutSeconds, int frameTimeoutSeconds, int maxUnauthenticatedQueryLength,
            boolean allowPlaintextPasswordsOnNetwork, TlsConfig tls, boolean allowDefaultCredentialsOnNetwork,
            MetricsConfig metrics) {
        this(host, port, maxConnections, maxQueryLength, maxDocumentBytes, maxBatchOps, idleTimeoutSeconds,
                frameTimeoutSeconds, maxUnauthenticatedQueryLength, allowPlaintextPasswordsOnNetwork, tls,
                allowDefaultCredentialsOnNetwork, metrics, PreAuthConfig.defaults(maxConnections, idleTimeoutSeconds));
    }

    /** Without the default-credentials opt-in and without metrics. */
    public ServerConfig(String host, int port, int maxConnections, int maxQueryLength, int maxDocumentBytes,
            int maxBatchOps, int idleTimeoutSeconds, int frameTimeoutSeconds, int maxUnauthenticatedQueryLength,
            boolean allowPlaintextPasswordsOnNetwork, TlsConfig tls) {
        this(host, port, maxConnections, maxQueryLength, maxDocumentBytes, maxBatchOps, idleTimeoutSeconds,
                frameTimeoutSeconds, maxUnauthenticatedQueryLength, allowPlaintextPasswordsOnNetwork, tls, false,
                MetricsConfig.DISABLED);
    }

    /**
     * The keys that existed before the hardening ones: those get their defaults (the
     * pre-authentication frame limit is capped at {@code maxQueryLength}).
     */
    public ServerConfig(String host, int port, int maxConnections, int maxQueryLength, int maxDocumentBytes,
            int maxBatchOps, int idleTimeoutSeconds, int frameTimeoutSeconds) {
        this(host, port, maxConnections, maxQueryLength, maxDocumentBytes, maxBatchOps, idleTimeoutSeconds,
                frameTimeoutSeconds, defaultMaxUnauthenticatedQueryLength(maxQueryLength), false, TlsConfig.DISABLED);
    }

    /** All defaults, listening on {@code host:port}. */
    public static ServerConfig defaults(String host, int port) {
        return new ServerConfig(host, port, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_QUERY_LENGTH,
                DEFAULT_MAX_DOCUMENT_BYTES, DEFAULT_MAX_BATCH_OPS, DEFAULT_IDLE_TIMEOUT_SECONDS,
                DEFAULT_FRAME_TIMEOUT_SECONDS);
    }

    /** The default pre-authentication frame limit for a given {@code max_query_length}. */
    public static int defaultMaxUnauthenticatedQueryLength(int maxQueryLength) {
        return Math.min(DEFAULT_MAX_UNAUTHENTICATED_QUERY_LENGTH, maxQueryLength);
    }

    /** This configuration with other TLS settings. */
    public ServerConfig withTls(TlsConfig newTls) {
        return new ServerConfig(host, port, maxConnections, maxQueryLength, maxDocumentBytes, maxBatchOps,
                idleTimeoutSeconds, frameTimeoutSeconds, maxUnauthenticatedQueryLength,
                allowPlaintextPasswordsOnNetwork, newTls, allowDefaultCredentialsOnNetwork, metrics, preAuth);
    }

    /** This configuration with the plain-text-password opt-in of protected mode set to {@code allow}. */
    public ServerConfig withPlaintextPasswordsOnNetwork(boolean allow) {
        return new ServerConfig(host, port, maxConnections, maxQueryLength, maxDocumentBytes, maxBatchOps,
                idleTimeoutSeconds, frameTimeoutSeconds, maxUnauthenticatedQueryLength, allow, tls,
                allowDefaultCredentialsOnNetwork, metrics, preAuth);
    }

    /** This configuration with other metrics settings. */
    public ServerConfig withMetrics(MetricsConfig newMetrics) {
        return new ServerConfig(host, port, maxConnections, maxQueryLength, maxDocumentBytes, maxBatchOps,
                idleTimeoutSeconds, frameTimeoutSeconds, maxUnauthenticatedQueryLength,
                allowPlaintextPasswordsOnNetwork, tls, allowDefaultCredentialsOnNetwork, newMetrics, preAuth);
    }

    /** This configuration with other pre-authentication limits. */
    public ServerConfig withPreAuth(PreAuthConfig newPreAuth) {
        return new ServerConfig(host, port, maxConnections, maxQueryLength, maxDocumentBytes, maxBatchOps,
                idleTimeoutSeconds, frameTimeoutSeconds, maxUnauthenticatedQueryLength,
                allowPlaintextPasswordsOnNetwork, tls, allowDefaultCredentialsOnNetwork, metrics, newPreAuth);
    }
}
