package dev.pydb.engine.auth;

import static java.util.Objects.requireNonNull;

import dev.pydb.engine.config.PasswordHashFormat;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Hashes and verifies passwords with PBKDF2-HMAC-SHA256 and a random 16-byte salt per hash.
 *
 * <p>The stored form (the {@code password_hash} of a user in the environment file) is
 * <pre>pbkdf2-sha256$&lt;iterations&gt;$&lt;salt&gt;$&lt;hash&gt;</pre>
 * where {@code iterations} is a decimal integer (default {@value #DEFAULT_ITERATIONS}, at least
 * {@value #MIN_ITERATIONS}, at most {@value #MAX_ITERATIONS}), {@code salt} is at least 8 bytes
 * and {@code hash} exactly 32 bytes, both in standard Base64 without padding. Example (of
 * {@code changeit}): {@code pbkdf2-sha256$210000$EWtRIrqQ+/5kA9LZLsnnpw$nO59gKpUg/8vtCCyrX3xdKlAbRZC2e9Fl7XMN3RTBsc}.
 * Verification compares in constant time.
 *
 * <p>{@link #main} is the {@code hash-password} command: it reads one password from standard
 * input and prints its hash.
 */
public final class PasswordHasher {
    /** The scheme name, the first field of a stored hash. */
    public static final String SCHEME = PasswordHashFormat.SCHEME;
    public static final int DEFAULT_ITERATIONS = 210_000;
    public static final int MIN_ITERATIONS = PasswordHashFormat.MIN_ITERATIONS;
    public static final int MAX_ITERATIONS = PasswordHashFormat.MAX_ITERATIONS;
    static final int SALT_BYTES = 16;
    static final int HASH_BYTES = PasswordHashFormat.HASH_BYTES;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder ENCODER = Base64.getEncoder().withoutPadding();

    private PasswordHasher() {}

    /** Hashes {@code password} with a fresh salt and {@value #DEFAULT_ITERATIONS} iterations. */
    public static String hash(String password) {
        return hash(password, DEFAULT_ITERATIONS);
    }

    /** Hashes {@code password} with a fresh salt and the given iteration count. */
    public static String hash(String password, int iterations) {
        requireNonNull(password, "password is null");
        PasswordHashFormat.checkIterations(iterations);
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        byte[] hash = pbkdf2(password, salt, iterations, HASH_BYTES);
        return SCHEME + "$" + iterations + "$" + ENCODER.encodeToString(salt) + "$" + ENCODER.encodeToString(hash);
    }

    /**
     * Whether {@code password} matches {@code storedHash}, compared in constant time.
     *
     * @throws IllegalArgumentException if {@code storedHash} is malformed
     */
    public static boolean verify(String password, String storedHash) {
        requireNonNull(password, "password is null");
        PasswordHashFormat.Parsed parsed = PasswordHashFormat.parse(storedHash);
        byte[] actual = pbkdf2(password, parsed.salt(), parsed.iterations(), parsed.hash().length);
        return MessageDigest.isEqual(actual, parsed.hash());
    }

    /**
     * Checks that {@code storedHash} is well formed.
     *
     * @throws IllegalArgumentException naming what is wrong (never echoing the hash itself)
     */
    public static void validate(String storedHash) {
        PasswordHashFormat.parse(storedHash);
    }

    /** The iteration count of a well-formed stored hash. */
    public static int iterations(String storedHash) {
        return PasswordHashFormat.parse(storedHash).iterations();
    }

    private static byte[] pbkdf2(String password, byte[] salt, int iterations, int bytes) {
        char[] chars = password.toCharArray();
        PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, bytes * 8);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available in this JDK", e);
        } finally {
            spec.clearPassword();
            Arrays.fill(chars, '\0');
        }
    }

    /**
     * The {@code hash-password} command: reads the password (the first line) from {@code in},
     * prints its hash on {@code out}; returns the process exit code (0, or 2 with a message on
     * {@code err} if the password is empty).
     */
    public static int hashPasswordCommand(InputStream in, PrintStream out, PrintStream err) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String password = reader.readLine();
        if (password == null || password.isEmpty()) {
            err.println("hash-password: no password on standard input (give it as the first line)");
            return 2;
        }
        out.println(hash(password));
        return 0;
    }

    /** {@code bin/pydb hash-password}: {@code echo -n 'secret' | pydb hash-password}. */
    public static void main(String[] args) throws IOException {
        int status = hashPasswordCommand(System.in, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }
}
