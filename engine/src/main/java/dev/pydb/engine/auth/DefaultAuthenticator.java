package dev.pydb.engine.auth;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.action.Principal;
import dev.pydb.api.storage.SessionStore;
import dev.pydb.engine.config.AuthConfig;
import dev.pydb.engine.config.UserConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's {@link Authenticator}: users from the {@code auth} section, bearer tokens of 256
 * random bits (Base64url without padding) that live {@code token_ttl_seconds}.
 *
 * <p>The token table keeps only the SHA-256 digest of a token, so a heap dump does not reveal
 * idle live tokens. So that a request does not hash its token each time, the digests of up to
 * {@link #RECENT_TOKENS} tokens in use are memoized ({@link RecentTokenDigests}, which says why
 * holding those raw tokens is no new exposure); the table stays the only source of truth, so
 * LOGOUT and expiry take effect on the next request. Expired tokens are dropped when they are
 * presented and by a sweep at most once per {@link #PURGE_INTERVAL} (run by a LOGIN), so memory
 * is bounded by the logins of one TTL.
 * An unknown user, a user with a plain-text password and a user with a hash all cost one PBKDF2
 * computation, and all failures carry the same message, so neither timing nor the reply tells
 * whether a username exists.
 *
 * <p>With a {@link SessionStore} (a storage that several nodes share, {@code Storage.sessions()}),
 * the token table is the store instead of this node's memory: a token issued here works on every
 * node, LOGOUT anywhere ends it everywhere at the next request (the store is read on every request;
 * only the digest memo, never the truth, is local), and a restart logs nobody out. The store keeps
 * the username; its roles come from this node's {@code auth} section, so every node must define the
 * same users. Thread-safe.
 */
public final class DefaultAuthenticator implements Authenticator {
    static final String LOGIN_FAILED = "invalid username or password";
    static final String TOKEN_INVALID = "invalid or expired token";
    static final Duration PURGE_INTERVAL = Duration.ofMinutes(1);
    /** How many tokens in use have their digest memoized (about 250 bytes each). */
    static final int RECENT_TOKENS = 10_000;
    private static final int TOKEN_BYTES = 32;
    private static final Logger LOG = LoggerFactory.getLogger(DefaultAuthenticator.class);

    private final Clock clock;
    private final Duration tokenTtl;
    private final Map<String, UserConfig> users;
    private final String dummyHash;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, LiveToken> tokensByDigest = new ConcurrentHashMap<>();
    private final RecentTokenDigests recentTokens;
    private final AtomicReference<Instant> nextPurge;
    private final Optional<SessionStore> sharedSessions;

    /**
     * @throws IllegalArgumentException for a duplicate username, a TTL below one second or a
     *     malformed {@code password_hash} (the message names the user)
     */
    public DefaultAuthenticator(AuthConfig config, Clock clock) {
        this(config, clock, RECENT_TOKENS, Optional.empty());
    }

    /** Keeping its tokens (their digests) in {@code sessions}, shared with the other nodes. */
    public DefaultAuthenticator(AuthConfig config, Clock clock, SessionStore sessions) {
        this(config, clock, RECENT_TOKENS, Optional.of(requireNonNull(sessions, "sessions is null")));
    }

    /** With the digests of at most {@code recentTokens} tokens in use memoized. */
    DefaultAuthenticator(AuthConfig config, Clock clock, int recentTokens) {
        this(config, clock, recentTokens, Optional.empty());
    }

    private DefaultAuthenticator(AuthConfig config, Clock clock, int recentTokens, Optional<SessionStore> sharedSessions) {
        requireNonNull(config, "config is null");
        this.sharedSessions = sharedSessions;
        this.recentTokens = new RecentTokenDigests(recentTokens);
        this.clock = requireNonNull(clock, "clock is null");
        if (config.tokenTtlSeconds() < 1) {
            throw new IllegalArgumentException("token TTL must be at least 1 second, was " + config.tokenTtlSeconds());
        }
        this.tokenTtl = Duration.ofSeconds(config.tokenTtlSeconds());
        Map<String, UserConfig> byName = new HashMap<>();
        int iterations = 0;
        for (UserConfig user : config.users()) {
            if (byName.putIfAbsent(user.username(), user) != null) {
                throw new IllegalArgumentException("user '" + user.username() + "' is defined twice");
            }
            if (!user.hasPlainTextPassword()) {
                try {
                    iterations = Math.max(iterations, PasswordHasher.iterations(user.passwordHash()));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("user '" + user.username() + "': " + e.getMessage(), e);
                }
            }
        }
        this.users = Map.copyOf(byName);
        // Verified against for unknown users and plain-text users, so they cost what a real check costs.
        this.dummyHash = PasswordHasher.hash("not a password", iterations == 0 ? PasswordHasher.DEFAULT_ITERATIONS : iterations);
        this.nextPurge = new AtomicReference<>(clock.instant().plus(PURGE_INTERVAL));
    }

    /**
     * Logs one WARN per user whose password is given in plain text (never the password itself);
     * for startup to call. Returns the usernames warned about.
     */
    public static List<String> warnAboutPlainTextPasswords(AuthConfig config) {
        requireNonNull(config, "config is null");
        List<String> warned = new ArrayList<>();
        for (UserConfig user : config.users()) {
            if (user.hasPlainTextPassword() && !warned.contains(user.username())) {
                warned.add(user.username());
                LOG.warn("user '{}' has a plain-text password in the environment file; replace it with a "
                        + "password_hash (bin/pydb hash-password)", user.username());
            }
        }
        return List.copyOf(warned);
    }

    @Override
    public LoginResult login(String username, String password) {
        requireNonNull(username, "username is null");
        requireNonNull(password, "password is null");
        purgeExpiredIfDue();
        UserConfig user = users.get(username);
        if (!passwordMatches(user, password)) {
            LOG.debug("failed login for user '{}'", printable(username));
            throw new PydbException(ErrorCode.UNAUTHENTICATED, LOGIN_FAILED);
        }
        byte[] raw = new byte[TOKEN_BYTES];
        random.nextBytes(raw);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        Instant expiresAt = clock.instant().truncatedTo(ChronoUnit.SECONDS).plus(tokenTtl);
        Principal principal = new Principal(user.username(), user.roles());
        String digest = digest(token);
        if (sharedSessions.isPresent()) {
            sharedSessions.get().put(digest, user.username(), expiresAt);
        } else {
            tokensByDigest.put(digest, new LiveToken(digest, principal, expiresAt));
        }
        LOG.debug("user '{}' logged in", user.username());
        return new LoginResult(token, expiresAt, principal);
    }

    private boolean passwordMatches(UserConfig user, String password) {
        if (user == null) {
            PasswordHasher.verify(password, dummyHash);
            return false;
        }
        if (user.hasPlainTextPassword()) {
            PasswordHasher.verify(password, dummyHash);
            return MessageDigest.isEqual(sha256(password), sha256(user.password()));
        }
        return PasswordHasher.verify(password, user.passwordHash());
    }

    @Override
    public Principal authenticate(String token) {
        return requireLive(token).principal();
    }

    @Override
    public void logout(String token) {
        LiveToken live = requireLive(token);
        recentTokens.forget(token);
        boolean removed = sharedSessions.isPresent()
                ? sharedSessions.get().revoke(live.digest(), clock.instant())
                : tokensByDigest.remove(live.digest(), live);
        if (!removed) {
            throw invalidToken();
        }
    }

    private LiveToken requireLive(String token) {
        if (token == null) {
            throw invalidToken();
        }
        String digest = recentTokens.digestOf(token);
        boolean remembered = digest != null;
        if (!remembered) {
            digest = digest(token);
        }
        LiveToken live = sharedSessions.isPresent() ? sharedLookup(digest) : tokensByDigest.get(digest);
        if (live == null) {
            recentTokens.forget(token);
            throw invalidToken();
        }
        if (!clock.instant().isBefore(live.expiresAt())) {
            tokensByDigest.remove(digest, live);
            recentTokens.forget(token);
            throw invalidToken();
        }
        if (!remembered) {
            recentTokens.remember(token, digest);
        }
        return live;
    }

    /** The session in the shared store, with the roles this node's {@code auth} section gives its user. */
    private LiveToken sharedLookup(String digest) {
        Optional<SessionStore.StoredSession> stored = sharedSessions.orElseThrow().lookup(digest, clock.instant());
        if (stored.isEmpty()) {
            return null;
        }
        UserConfig user = users.get(stored.get().username());
        if (user == null) {
            LOG.debug("a shared session names user '{}', whom this node's auth section does not define",
                    printable(stored.get().username()));
            return null;
        }
        return new LiveToken(digest, new Principal(user.username(), user.roles()), stored.get().expiresAt());
    }

    /** The number of tokens held (live or expired but not yet purged). */
    int tokenCount() {
        return tokensByDigest.size();
    }

    /** The number of tokens whose digest is memoized. */
    int recentTokenCount() {
        return recentTokens.size();
    }

    /** Drops every expired token now, and the memoized digests of tokens no longer live. */
    void purgeExpired() {
        Instant now = clock.instant();
        sharedSessions.ifPresent(store -> store.purgeExpired(now));
        tokensByDigest.values().removeIf(live -> !now.isBefore(live.expiresAt()));
        recentTokens.retainLive(tokensByDigest::containsKey);
    }

    private void purgeExpiredIfDue() {
        Instant now = clock.instant();
        Instant due = nextPurge.get();
        if (!now.isBefore(due) && nextPurge.compareAndSet(due, now.plus(PURGE_INTERVAL))) {
            purgeExpired();
        }
    }

    private static PydbException invalidToken() {
        return new PydbException(ErrorCode.UNAUTHENTICATED, TOKEN_INVALID);
    }

    private static String digest(String token) {
        return Base64.getEncoder().encodeToString(sha256(token));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JDK", e);
        }
    }

    private static String printable(String s) {
        String shortened = s.length() <= 64 ? s : s.substring(0, 64) + "…";
        return shortened.replaceAll("\\p{Cntrl}", "?");
    }

    private record LiveToken(String digest, Principal principal, Instant expiresAt) {}
}
