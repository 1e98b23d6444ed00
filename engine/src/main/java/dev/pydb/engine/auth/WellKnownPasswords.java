package dev.pydb.engine.auth;

import static java.util.Objects.requireNonNull;

import dev.pydb.engine.config.UserConfig;
import java.util.List;
import java.util.Set;

/**
 * Passwords anyone can read in py_db's own files: the one the distribution's {@code conf/env.json}
 * ships (printed in the README and README.txt), and the example of {@link PasswordHasher}'s
 * documentation. A user keeps a well-known password if its plain-text {@code password} is one of
 * them, or its {@code password_hash} is one of the published hashes or verifies against the
 * shipped password (one PBKDF2 computation per hashed user, so a hash of the shipped password made
 * with {@code bin/pydb hash-password} is recognised too).
 */
public final class WellKnownPasswords {
    /** The password of the shipped {@code admin} user. */
    public static final String SHIPPED_PASSWORD = "pydb-admin-change-me";
    /** The hash of {@link #SHIPPED_PASSWORD} in the shipped {@code conf/env.json}. */
    public static final String SHIPPED_HASH =
            "pbkdf2-sha256$210000$PjMEjbIleqajaX+WqZZFyA$vz1yaMz0TdI0k+hSUM2oxfYXGkAlm9D1HRjycHQFAuc";

    private static final Set<String> PASSWORDS = Set.of(SHIPPED_PASSWORD, "changeit");
    private static final Set<String> PUBLISHED_HASHES = Set.of(SHIPPED_HASH,
            "pbkdf2-sha256$210000$EWtRIrqQ+/5kA9LZLsnnpw$nO59gKpUg/8vtCCyrX3xdKlAbRZC2e9Fl7XMN3RTBsc");

    private WellKnownPasswords() {}

    /** Whether {@code user}'s credential is a well-known password, plain or hashed. */
    public static boolean isKeptBy(UserConfig user) {
        requireNonNull(user, "user is null");
        if (user.hasPlainTextPassword()) {
            return PASSWORDS.contains(user.password());
        }
        String hash = user.passwordHash();
        return PUBLISHED_HASHES.contains(hash) || PasswordHasher.verify(SHIPPED_PASSWORD, hash);
    }

    /** The names of the users among {@code users} that keep a well-known password, in order. */
    public static List<String> usersKeepingOne(List<UserConfig> users) {
        return users.stream().filter(WellKnownPasswords::isKeptBy).map(UserConfig::username).toList();
    }
}
