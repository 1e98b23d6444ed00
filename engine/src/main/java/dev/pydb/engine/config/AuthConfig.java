package dev.pydb.engine.config;

import java.util.List;

/** The {@code auth} section: {@code token_ttl_seconds} (default 3600) and {@code users} (required, at least one). */
public record AuthConfig(long tokenTtlSeconds, List<UserConfig> users) {
    public static final long DEFAULT_TOKEN_TTL_SECONDS = 3600;

    public AuthConfig {
        users = List.copyOf(users);
    }
}
