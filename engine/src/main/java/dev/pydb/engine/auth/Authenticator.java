package dev.pydb.engine.auth;

import dev.pydb.api.action.Principal;

/**
 * Logs users in and checks tokens. Every failure is {@code UNAUTHENTICATED} with the same message
 * for an unknown user and a wrong password. Thread-safe; never logs a password or a token.
 */
public interface Authenticator {
    /** Checks the password and issues a fresh token of 256 random bits. */
    LoginResult login(String username, String password);

    /** The principal a live token belongs to; {@code UNAUTHENTICATED} if unknown, expired or revoked. */
    Principal authenticate(String token);

    /** Revokes the token everywhere; {@code UNAUTHENTICATED} if it is not live. */
    void logout(String token);
}
