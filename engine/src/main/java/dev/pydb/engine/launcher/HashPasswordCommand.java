package dev.pydb.engine.launcher;

import dev.pydb.engine.auth.PasswordHasher;
import java.io.ByteArrayInputStream;
import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code pydb hash-password}: prints a {@code password_hash} for the environment file. The
 * password comes from a no-echo prompt on a terminal, else from the first line of standard input;
 * never from the command line (it would show in {@code ps} and shell history).
 */
@Command(
        name = "hash-password",
        mixinStandardHelpOptions = true,
        description = "Prints a password_hash (pbkdf2-sha256) for conf/env.json. Reads the password from a"
                + " prompt, or from the first line of standard input when that is not a terminal.")
final class HashPasswordCommand implements Callable<Integer> {
    @Override
    public Integer call() throws IOException {
        Console console = System.console();
        if (isTerminal(console)) {
            char[] first = console.readPassword("Password: ");
            char[] second = console.readPassword("Again: ");
            try {
                if (first == null || !Arrays.equals(first, second)) {
                    System.err.println("hash-password: the passwords differ");
                    return 2;
                }
                byte[] line = new String(first).getBytes(StandardCharsets.UTF_8);
                return PasswordHasher.hashPasswordCommand(new ByteArrayInputStream(line), System.out, System.err);
            } finally {
                Arrays.fill(first == null ? new char[0] : first, '\0');
                Arrays.fill(second == null ? new char[0] : second, '\0');
            }
        }
        return PasswordHasher.hashPasswordCommand(System.in, System.out, System.err);
    }

    private static boolean isTerminal(Console console) {
        return Terminal.isTerminal(console);
    }
}
