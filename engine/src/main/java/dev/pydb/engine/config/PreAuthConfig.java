package dev.pydb.engine.config;

/**
 * The limits on connections that have not authenticated yet (keys of the {@code server} section):
 *
 * <ul>
 *   <li>{@code max_unauthenticated_connections}: at most this many at once, so that strangers
 *       can hold only part of {@code max_connections}. Default a quarter of
 *       {@code max_connections}, but at least 16 (or {@code max_connections} if that is smaller):
 *       256 of the default 1024, leaving three quarters to connections that have logged in.
 *   <li>{@code max_unauthenticated_connections_per_address}: at most this many from one client
 *       address (IPv4 address, or IPv6 /64 network), so one host cannot take all of the above.
 *       Default half of {@code max_unauthenticated_connections}, at most 64 and at least 1: 64 by
 *       default (a connection pool of 64 that logs in at once from one host fits), 8 with
 *       {@code max_connections: 64}.
 *   <li>{@code unauthenticated_timeout_seconds}: a connection that has not authenticated and has
 *       no request in flight is closed after this long without input (as MySQL's
 *       {@code connect_timeout}, also 10 s). Default 10, at most {@code idle_timeout_seconds}.
 * </ul>
 *
 * A connection counts against the first two until a request on it has authenticated (a
 * successful LOGIN, or a live {@code auth.token}); from then on only {@code max_connections} and
 * {@code idle_timeout_seconds} apply to it.
 */
public record PreAuthConfig(int maxConnections, int maxConnectionsPerAddress, int timeoutSeconds) {
    public static final int DEFAULT_TIMEOUT_SECONDS = 10;
    /** The default {@code max_unauthenticated_connections} is never below this (unless max_connections is). */
    static final int MIN_DEFAULT_CONNECTIONS = 16;
    /** The default {@code max_unauthenticated_connections_per_address} is never above this. */
    static final int MAX_DEFAULT_PER_ADDRESS = 64;

    public PreAuthConfig {
        if (maxConnections <= 0 || maxConnectionsPerAddress <= 0 || timeoutSeconds <= 0) {
            throw new IllegalArgumentException("pre-authentication limits must be > 0, were " + maxConnections + ", "
                    + maxConnectionsPerAddress + ", " + timeoutSeconds);
        }
        if (maxConnectionsPerAddress > maxConnections) {
            throw new IllegalArgumentException("max_unauthenticated_connections_per_address (" + maxConnectionsPerAddress
                    + ") must not be larger than max_unauthenticated_connections (" + maxConnections + ")");
        }
    }

    /** The default {@code max_unauthenticated_connections} for a given {@code max_connections}. */
    public static int defaultMaxConnections(int maxConnections) {
        return Math.max(Math.min(MIN_DEFAULT_CONNECTIONS, maxConnections), maxConnections / 4);
    }

    /** The default {@code max_unauthenticated_connections_per_address} for a given {@code max_unauthenticated_connections}. */
    public static int defaultMaxConnectionsPerAddress(int maxUnauthenticatedConnections) {
        return Math.max(1, Math.min(MAX_DEFAULT_PER_ADDRESS, maxUnauthenticatedConnections / 2));
    }

    /** The default {@code unauthenticated_timeout_seconds} for a given {@code idle_timeout_seconds}. */
    public static int defaultTimeoutSeconds(int idleTimeoutSeconds) {
        return Math.min(DEFAULT_TIMEOUT_SECONDS, idleTimeoutSeconds);
    }

    /** All defaults, for a server with these {@code max_connections} and {@code idle_timeout_seconds}. */
    public static PreAuthConfig defaults(int maxConnections, int idleTimeoutSeconds) {
        int max = defaultMaxConnections(Math.max(1, maxConnections));
        return new PreAuthConfig(max, defaultMaxConnectionsPerAddress(max), defaultTimeoutSeconds(Math.max(1, idleTimeoutSeconds)));
    }
}
