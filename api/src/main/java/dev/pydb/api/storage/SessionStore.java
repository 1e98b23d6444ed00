package dev.pydb.api.storage;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * LOGIN sessions and failed-login counters kept in a storage that several py_db nodes share
 * ({@link Storage#sessions()}), so that a token issued by one node works on every node, LOGOUT on
 * one ends it on all at once, a restart logs nobody out, and the login brake counts failures across
 * nodes. The engine keeps sessions in memory when the storage offers none.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Only digests of tokens reach the store (the engine hashes them); a raw token is never
 *       stored.</li>
 *   <li>Every change is durable and visible to every node when the method returns (no cache may
 *       make a revoked session live again).</li>
 *   <li>{@link #updateLoginFailures} is atomic per subject across nodes.</li>
 *   <li>A failure to reach the store is a {@link dev.pydb.api.PydbException} {@code UNAVAILABLE}.</li>
 * </ul>
 * Users and roles are not stored: each node resolves the username from its own environment file.
 */
public interface SessionStore {
    /** Stores a session under its token's digest; replaces one with the same digest. */
    void put(String tokenDigest, String username, Instant expiresAt);

    /** The session stored under the digest, if any and not expired at {@code now}. */
    Optional<StoredSession> lookup(String tokenDigest, Instant now);

    /** Removes the session; whether it was stored and not expired at {@code now}. */
    boolean revoke(String tokenDigest, Instant now);

    /** Removes every session expired at {@code now}; returns how many. */
    long purgeExpired(Instant now);

    /** The failed-login counters of a subject (a username or a client address), if any. */
    Optional<LoginFailures> loginFailures(String subject);

    /**
     * Replaces the subject's counters with {@code change} applied to the current ones
     * ({@code null} when there are none), atomically; returns the new counters. {@code change} may
     * run more than once and must have no side effects.
     */
    LoginFailures updateLoginFailures(String subject, UnaryOperator<LoginFailures> change);

    /** Forgets the subject's counters (after a successful login). */
    void clearLoginFailures(String subject);

    /** A stored session: whose it is and when it expires. */
    record StoredSession(String username, Instant expiresAt) {
        public StoredSession {
            requireNonNull(username, "username is null");
            requireNonNull(expiresAt, "expiresAt is null");
        }
    }

    /**
     * The failed-login counters of one subject: failures in a row, lockouts so far, when the last
     * failure happened and until when the subject is locked out.
     */
    record LoginFailures(int failures, int lockouts, Instant lastFailure, Instant lockedUntil) {
        public LoginFailures {
            requireNonNull(lastFailure, "lastFailure is null");
            requireNonNull(lockedUntil, "lockedUntil is null");
        }
    }
}
