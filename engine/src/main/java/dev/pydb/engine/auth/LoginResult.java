package dev.pydb.engine.auth;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.action.Principal;
import java.time.Instant;

/** A successful LOGIN: the token (shown to the client once, never logged), when it expires, and who it is. */
public record LoginResult(String token, Instant expiresAt, Principal principal) {
    public LoginResult {
        requireNonNull(token, "token is null");
        requireNonNull(expiresAt, "expiresAt is null");
        requireNonNull(principal, "principal is null");
    }

    @Override
    public String toString() {
        return "LoginResult[" + principal + ", expiresAt=" + expiresAt + "]";
    }
}
