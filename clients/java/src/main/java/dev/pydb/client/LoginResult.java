package dev.pydb.client;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/** A successful LOGIN: the token, when it expires and the user's roles. {@link #toString()} hides the token. */
public record LoginResult(String token, Instant expiresAt, List<String> roles) {
    public LoginResult {
        requireNonNull(token, "token is null");
        requireNonNull(expiresAt, "expiresAt is null");
        roles = List.copyOf(requireNonNull(roles, "roles is null"));
    }

    @Override
    public String toString() {
        return "LoginResult[token=(hidden), expiresAt=" + expiresAt + ", roles=" + roles + "]";
    }
}
