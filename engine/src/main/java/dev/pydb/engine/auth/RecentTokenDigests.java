package dev.pydb.engine.auth;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * A bounded memo from tokens recently found live to their digests (the keys of the token table),
 * so that a request with a token seen before costs a map lookup instead of a SHA-256.
 *
 * <p>It is never the source of truth: a token is live only while its digest is in the token
 * table, so an entry that outlived its token (LOGOUT, expiry) lets nothing in; entries are still
 * removed then, so the memo holds only tokens in use. When full it takes no new tokens until
 * entries are removed: tokens beyond the bound are hashed on every request, as without the memo.
 * Concurrent additions can overshoot the bound by at most the number of adding threads.
 *
 * <p>It holds raw tokens, but only ones that clients are sending right now: those are in the
 * heap anyway, in every request's frame and parsed JSON, and in the session of every connection
 * that logged in with LOGIN. The token table, which also holds idle tokens, keeps digests only.
 * Thread-safe.
 */
final class RecentTokenDigests {
    private final int capacity;
    private final Map<String, String> digestsByToken = new ConcurrentHashMap<>();

    RecentTokenDigests(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0, was " + capacity);
        }
        this.capacity = capacity;
    }

    /** The remembered digest of {@code token}, or null. */
    String digestOf(String token) {
        return digestsByToken.get(token);
    }

    /** Remembers the digest of a token just found live, unless the memo is full. */
    void remember(String token, String digest) {
        requireNonNull(token, "token is null");
        requireNonNull(digest, "digest is null");
        if (digestsByToken.size() < capacity) {
            digestsByToken.putIfAbsent(token, digest);
        }
    }

    void forget(String token) {
        digestsByToken.remove(token);
    }

    /** Forgets every token whose digest fails {@code live}. */
    void retainLive(Predicate<String> live) {
        digestsByToken.values().removeIf(live.negate());
    }

    int size() {
        return digestsByToken.size();
    }
}
