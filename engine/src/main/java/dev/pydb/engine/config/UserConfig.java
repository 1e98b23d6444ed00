package dev.pydb.engine.config;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One user: {@code username}, exactly one of {@code password_hash} (PBKDF2 format, see
 * {@code PasswordHasher}) and {@code password} (plain text, accepted with a warning), and
 * {@code roles}.
 */
public record UserConfig(String username, String passwordHash, String password, List<String> roles) {
    public UserConfig {
        requireNonNull(username, "username is null");
        if ((passwordHash == null) == (password == null)) {
            throw new IllegalArgumentException("exactly one of passwordHash and password must be set");
        }
        roles = List.copyOf(roles);
    }

    public boolean hasPlainTextPassword() {
        return password != null;
    }

    @Override
    public String toString() {
        return "UserConfig[" + username + ", roles=" + roles + "]";
    }
}
