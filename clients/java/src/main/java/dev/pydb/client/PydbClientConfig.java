package dev.pydb.client;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * How a {@link PydbClient} connects: server address, optional credentials (each new connection
 * logs in with them), pool size, timeouts and the retry budget for idempotent requests. Build one
 * with {@link #builder(String, int)}. {@link #toString()} never shows the password.
 *
 * @param host           the server's host name or address
 * @param port           the server's TCP port
 * @param username       the user every connection logs in as; empty for no login (PING only)
 * @param password       that user's password; present exactly when {@code username} is
 * @param poolSize       how many connections the client keeps (requests are pipelined on each)
 * @param connectTimeout how long opening a connection may take
 * @param requestTimeout how long a request may wait for its response; its connection is then discarded
 * @param maxRetries     how often an idempotent request is retried after a connection failure or {@code UNAVAILABLE}
 * @param retryBackoff   the pause before the first retry; it doubles on each further one
 */
public record PydbClientConfig(
        String host,
        int port,
        Optional<String> username,
        Optional<String> password,
        int poolSize,
        Duration connectTimeout,
        Duration requestTimeout,
        int maxRetries,
        Duration retryBackoff) {
    public static final int DEFAULT_PORT = 9440;
    public static final int DEFAULT_POOL_SIZE = 4;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_RETRIES = 3;
    public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(50);

    public PydbClientConfig {
        requireNonNull(host, "host is null");
        requireNonNull(username, "username is null");
        requireNonNull(password, "password is null");
        requireNonNull(connectTimeout, "connectTimeout is null");
        requireNonNull(requestTimeout, "requestTimeout is null");
        requireNonNull(retryBackoff, "retryBackoff is null");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host is blank");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }
        if (username.isPresent() != password.isPresent()) {
            throw new IllegalArgumentException("username and password go together");
        }
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be at least 1, got " + poolSize);
        }
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must not be negative, got " + maxRetries);
        }
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(requestTimeout, "requestTimeout");
        if (retryBackoff.isNegative()) {
            throw new IllegalArgumentException("retryBackoff must not be negative");
        }
    }

    /** A builder with the defaults: pool of 4, 5 s to connect, 30 s per request, 3 retries from 50 ms. */
    public static Builder builder(String host, int port) {
        return new Builder(host, port);
    }

    @Override
    public String toString() {
        return "PydbClientConfig[host=" + host + ", port=" + port + ", username=" + username.orElse("(none)")
                + ", poolSize=" + poolSize + ", connectTimeout=" + connectTimeout + ", requestTimeout=" + requestTimeout
                + ", maxRetries=" + maxRetries + ", retryBackoff=" + retryBackoff + "]";
    }

    private static void requirePositive(Duration duration, String name) {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + duration);
        }
    }

    /** Builds a {@link PydbClientConfig}; every setter returns this builder. */
    public static final class Builder {
        private final String host;
        private final int port;
        private Optional<String> username = Optional.empty();
        private Optional<String> password = Optional.empty();
        private int poolSize = DEFAULT_POOL_SIZE;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private int maxRetries = DEFAULT_MAX_RETRIES;
        private Duration retryBackoff = DEFAULT_RETRY_BACKOFF;

        private Builder(String host, int port) {
            this.host = requireNonNull(host, "host is null");
            this.port = port;
        }

        /** Every connection logs in as this user. */
        public Builder credentials(String username, String password) {
            this.username = Optional.of(requireNonNull(username, "username is null"));
            this.password = Optional.of(requireNonNull(password, "password is null"));
            return this;
        }

        public Builder poolSize(int poolSize) {
            this.poolSize = poolSize;
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = requireNonNull(connectTimeout, "connectTimeout is null");
            return this;
        }

        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = requireNonNull(requestTimeout, "requestTimeout is null");
            return this;
        }

        public Builder maxRetries(int maxRetries) {
            this.maxRetries = maxRetries;
            return this;
        }

        public Builder retryBackoff(Duration retryBackoff) {
            this.retryBackoff = requireNonNull(retryBackoff, "retryBackoff is null");
            return this;
        }

        public PydbClientConfig build() {
            return new PydbClientConfig(host, port, username, password, poolSize, connectTimeout, requestTimeout,
                    maxRetries, retryBackoff);
        }
    }
}
