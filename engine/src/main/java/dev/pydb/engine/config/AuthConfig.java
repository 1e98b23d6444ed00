package dev.pydb.engine.config;

import java.util.List;

/**
 * The {@code auth} section: {@code token_ttl_seconds} (default 3600), {@code users} (required, at
 * least one) and the brute-force throttle of LOGIN: after {@code login_failures_before_lockout}
 * (default 5) failed logins in a row for one username or from one client address, that username
 * or address is locked out for {@code lockout_seconds} (default 5), doubling with every further
 * failure after a lockout, capped at {@code max_lockout_seconds} (default 900).
 */
public record AuthConfig(
        long tokenTtlSeconds,
        List<UserConfig> users,
        int loginFailuresBeforeLockout,
        long lockoutSeconds,
        long maxLockoutSeconds) {
    public static final long DEFAULT_TOKEN_TTL_SECONDS = 3600;
    public static final int DEFAULT_LOGIN_FAILURES_BEFORE_LOCKOUT = 5;
    public static final long DEFAULT_LOCKOUT_SECONDS = 5;
    public static final long DEFAULT_MAX_LOCKOUT_SECONDS = 900;

    public AuthConfig {
        users = List.copyOf(users);
        if (loginFailuresBeforeLockout < 1 || lockoutSeconds < 1 || maxLockoutSeconds < lockoutSeconds) {
            throw new IllegalArgumentException("need login_failures_before_lockout >= 1 and 1 <= lockout_seconds"
                    + " <= max_lockout_seconds, was " + loginFailuresBeforeLockout + ", " + lockoutSeconds + ", "
                    + maxLockoutSeconds);
        }
    }

    /** Token TTL and users; the throttle gets its defaults. */
    public AuthConfig(long tokenTtlSeconds, List<UserConfig> users) {
        this(tokenTtlSeconds, users, DEFAULT_LOGIN_FAILURES_BEFORE_LOCKOUT, DEFAULT_LOCKOUT_SECONDS,
                DEFAULT_MAX_LOCKOUT_SECONDS);
    }
}
