package dev.pydb.engine.auth;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.SessionStore;
import dev.pydb.api.storage.SessionStore.LoginFailures;
import dev.pydb.engine.config.AuthConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The brute-force brake of LOGIN. Failed logins are counted per username and per client address
 * (host, without the port). After {@code failuresBeforeLockout} failures in a row, that username
 * or address is locked out for {@code lockout}; every failure after a lockout locks it again for
 * twice as long, up to {@code maxLockout}. While either is locked, LOGIN is refused with
 * {@code UNAUTHENTICATED} before the password is checked, even if it is right; the reply is the
 * same for existing and unknown usernames. A success clears both counters; failures older than
 * {@code maxLockout} are forgotten. A lockout is logged once, when it starts (never a password).
 * Thread-safe.
 */
public final class LoginThrottle {
    static final String RETRY_LATER = "too many failed logins for this user or from this address; retry in %d s";
    /** Past this many tracked names and addresses, forgotten entries are swept on each failure. */
    private static final int SWEEP_ABOVE = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(LoginThrottle.class);

    private final int failuresBeforeLockout;
    private final Duration lockout;
    private final Duration maxLockout;
    private final Clock clock;
    private final Map<String, LoginFailures> failures = new ConcurrentHashMap<>();
    private final Optional<SessionStore> shared;

    public LoginThrottle(int failuresBeforeLockout, Duration lockout, Duration maxLockout, Clock clock) {
        this(failuresBeforeLockout, lockout, maxLockout, clock, Optional.empty());
    }

    /** Counting in {@code shared} when present (failures then count across the nodes sharing it). */
    public LoginThrottle(int failuresBeforeLockout, Duration lockout, Duration maxLockout, Clock clock,
            Optional<SessionStore> shared) {
        this.shared = requireNonNull(shared, "shared is null");
        if (failuresBeforeLockout < 1) {
            throw new IllegalArgumentException("failuresBeforeLockout must be >= 1, was " + failuresBeforeLockout);
        }
        this.failuresBeforeLockout = failuresBeforeLockout;
        this.lockout = requireNonNull(lockout, "lockout is null");
        this.maxLockout = requireNonNull(maxLockout, "maxLockout is null");
        this.clock = requireNonNull(clock, "clock is null");
        if (lockout.isNegative() || lockout.isZero() || maxLockout.compareTo(lockout) < 0) {
            throw new IllegalArgumentException("need 0 < lockout <= maxLockout, was " + lockout + ", " + maxLockout);
        }
    }

    /** The throttle the {@code auth} section configures. */
    public static LoginThrottle from(AuthConfig config, Clock clock) {
        return from(config, clock, Optional.empty());
    }

    /** The throttle the {@code auth} section configures, counting in the storage's shared sessions if any. */
    public static LoginThrottle from(AuthConfig config, Clock clock, Optional<SessionStore> shared) {
        requireNonNull(config, "config is null");
        return new LoginThrottle(config.loginFailuresBeforeLockout(), Duration.ofSeconds(config.lockoutSeconds()),
                Duration.ofSeconds(config.maxLockoutSeconds()), clock, shared);
    }

    /** Refuses with {@code UNAUTHENTICATED} ("retry in N s") while the username or the address is locked out. */
    public void checkAllowed(String username, String clientAddress) {
        Instant now = clock.instant();
        Duration wait = max(remainingLockout(userKey(username), now), remainingLockout(addressKey(clientAddress), now));
        if (!wait.isZero()) {
            long seconds = Math.max(1, wait.toSeconds() + (wait.toNanosPart() > 0 ? 1 : 0));
            throw new PydbException(ErrorCode.UNAUTHENTICATED, String.format(RETRY_LATER, seconds));
        }
    }

    /** Counts a failed login (wrong password or unknown user). */
    public void failed(String username, String clientAddress) {
        Instant now = clock.instant();
        if (failures.size() > SWEEP_ABOVE) {
            failures.values().removeIf(f -> forgotten(f, now));
        }
        List<String> lockedOut = new ArrayList<>(2);
        if (record(userKey(username), now)) {
            lockedOut.add("user '" + printable(username) + "'");
        }
        if (record(addressKey(clientAddress), now)) {
            lockedOut.add("address " + printable(clientAddress));
        }
        if (!lockedOut.isEmpty()) {
            LOG.warn("login throttled after {} failed logins in a row: {} locked out for {} s, longer after each further"
                    + " failure (up to {} s)", failuresBeforeLockout, String.join(" and ", lockedOut), lockout.toSeconds(),
                    maxLockout.toSeconds());
        }
    }

    /** Clears the counters of a username and an address after a successful login. */
    public void succeeded(String username, String clientAddress) {
        for (String key : List.of(userKey(username), addressKey(clientAddress))) {
            if (shared.isPresent()) {
                shared.get().clearLoginFailures(key);
            } else {
                failures.remove(key);
            }
        }
    }

    /** The host part of {@code 10.0.0.7:51234} or {@code [::1]:51234}; other text unchanged. */
    public static String hostOf(String remoteAddress) {
        requireNonNull(remoteAddress, "remoteAddress is null");
        int colon = remoteAddress.lastIndexOf(':');
        if (colon <= 0 || remoteAddress.indexOf(':') != colon && !remoteAddress.startsWith("[")) {
            return remoteAddress;
        }
        return remoteAddress.substring(0, colon);
    }

    /** Counts a failure; true if it started the first lockout of a burst (the one that is logged). */
    private boolean record(String key, Instant now) {
        boolean[] firstLockout = new boolean[1];
        UnaryOperator<LoginFailures> count = previous -> {
            LoginFailures current = previous == null || forgotten(previous, now)
                    ? new LoginFailures(0, 0, Instant.EPOCH, Instant.EPOCH) : previous;
            int failed = current.failures() + 1;
            firstLockout[0] = false;
            if (failed >= failuresBeforeLockout && !now.isBefore(current.lockedUntil())) {
                firstLockout[0] = current.lockouts() == 0;
                return new LoginFailures(failed, current.lockouts() + 1, now, now.plus(lockoutLength(current.lockouts())));
            }
            return new LoginFailures(failed, current.lockouts(), now, current.lockedUntil());
        };
        if (shared.isPresent()) {
            shared.get().updateLoginFailures(key, count);
        } else {
            failures.compute(key, (k, previous) -> count.apply(previous));
        }
        return firstLockout[0];
    }

    private Optional<LoginFailures> current(String key) {
        return shared.isPresent() ? shared.get().loginFailures(key) : Optional.ofNullable(failures.get(key));
    }

    private Duration lockoutLength(int previousLockouts) {
        Duration length = lockout;
        for (int i = 0; i < previousLockouts && length.compareTo(maxLockout) < 0; i++) {
            length = length.multipliedBy(2);
        }
        return length.compareTo(maxLockout) > 0 ? maxLockout : length;
    }

    private Duration remainingLockout(String key, Instant now) {
        Optional<LoginFailures> f = current(key);
        if (f.isEmpty()) {
            return Duration.ZERO;
        }
        Instant lockedUntil = f.get().lockedUntil();
        return now.isBefore(lockedUntil) ? Duration.between(now, lockedUntil) : Duration.ZERO;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static String userKey(String username) {
        return "u:" + requireNonNull(username, "username is null");
    }

    private static String addressKey(String clientAddress) {
        return "a:" + requireNonNull(clientAddress, "clientAddress is null");
    }

    private static String printable(String s) {
        String shortened = s.length() <= 64 ? s : s.substring(0, 64) + "…";
        return shortened.replaceAll("\\p{Cntrl}", "?");
    }

    /** Whether the counters are old enough to be forgotten: not locked out, no failure within {@code maxLockout}. */
    private boolean forgotten(LoginFailures f, Instant now) {
        return !now.isBefore(f.lockedUntil()) && Duration.between(f.lastFailure(), now).compareTo(maxLockout) > 0;
    }
}
