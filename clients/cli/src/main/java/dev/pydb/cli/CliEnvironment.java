package dev.pydb.cli;

import static java.util.Objects.requireNonNull;

import java.io.PrintWriter;
import java.util.Map;
import java.util.Optional;

/**
 * What a command run sees of the outside world: output and error writers, the environment
 * variables and a way to ask for a password without echo. Tests pass their own.
 *
 * @param out      where results go
 * @param err      where errors go
 * @param env      the environment variables ({@code PYDB_PASSWORD})
 * @param password asks for the password of a user; empty if no terminal can ask
 */
record CliEnvironment(PrintWriter out, PrintWriter err, Map<String, String> env, PasswordPrompt password) {
    static final String PASSWORD_VARIABLE = "PYDB_PASSWORD";

    CliEnvironment {
        requireNonNull(out, "out is null");
        requireNonNull(err, "err is null");
        env = Map.copyOf(requireNonNull(env, "env is null"));
        requireNonNull(password, "password is null");
    }

    /** Asks for a password without echo; empty when there is no terminal to ask on. */
    @FunctionalInterface
    interface PasswordPrompt {
        Optional<String> ask(String username);
    }
}
