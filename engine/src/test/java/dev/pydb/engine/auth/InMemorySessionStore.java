package dev.pydb.engine.auth;

import dev.pydb.api.storage.SessionStore;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/** A {@link SessionStore} in memory, standing for one that several nodes share; records what was stored. */
final class InMemorySessionStore implements SessionStore {
    final Map<String, StoredSession> sessions = new ConcurrentHashMap<>();
    final Map<String, LoginFailures> failures = new ConcurrentHashMap<>();

    @Override
    public void put(String tokenDigest, String username, Instant expiresAt) {
        sessions.put(tokenDigest, new StoredSession(username, expiresAt));
    }

    @Override
    public Optional<StoredSession> lookup(String tokenDigest, Instant now) {
        return Optional.ofNullable(sessions.get(tokenDigest)).filter(s -> now.isBefore(s.expiresAt()));
    }

    @Override
    public boolean revoke(String tokenDigest, Instant now) {
        StoredSession removed = sessions.remove(tokenDigest);
        return removed != null && now.isBefore(removed.expiresAt());
    }

    @Override
    public long purgeExpired(Instant now) {
        int before = sessions.size();
        sessions.values().removeIf(s -> !now.isBefore(s.expiresAt()));
        return before - sessions.size();
    }

    @Override
    public Optional<LoginFailures> loginFailures(String subject) {
        return Optional.ofNullable(failures.get(subject));
    }

    @Override
    public LoginFailures updateLoginFailures(String subject, UnaryOperator<LoginFailures> change) {
        return failures.compute(subject, (k, previous) -> change.apply(previous));
    }

    @Override
    public void clearLoginFailures(String subject) {
        failures.remove(subject);
    }
}
