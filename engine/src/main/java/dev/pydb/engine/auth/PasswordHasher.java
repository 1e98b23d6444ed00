package dev.pydb.engine.auth;

import static java.util.Objects.requireNonNull;

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
    public static final String SCHEME = "pbkdf2-sha256";
    public static final int DEFAULT_ITERATIONS = 210_000;
    public static final int MIN_ITERATIONS = 1_000;
    public static final int MAX_ITERATIONS = 10_000_000;
    static final int SALT_BYTES = 16;
    static final int MIN_SALT_BYTES = 8;
    static final int HASH_BYTES = 32;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder ENCODER = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getDecoder();

    private PasswordHasher() {}

    /** Hashes {@code password} with a fresh salt and {@value #DEFAULT_ITERATIONS} iterations. */
    public static String hash(String password) {
        return hash(password, DEFAULT_ITERATIONS);
    }

    /** Hashes {@code password} with a fresh salt and the given iteration count. */
    public static String hash(String password, int iterations) {
        requireNonNull(password, "password is null");
        checkIterations(iterations);
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
        ParsedHash parsed = parse(storedHash);
        byte[] actual = pbkdf2(password, parsed.salt(), parsed.iterations(), parsed.hash().length);
        return MessageDigest.isEqual(actual, parsed.hash());
    }

    /**
     * Checks that {@code storedHash} is well formed.
     *
     * @throws IllegalArgumentException naming what is wrong (never echoing the hash itself)
     */
    public static void validate(String storedHash) {
        parse(storedHash);
    }

    /** The iteration count of a well-formed stored hash. */
    public static int iterations(String storedHash) {
        return parse(storedHash).iterations();
    }

    static ParsedHash parse(String storedHash) {
        if (storedHash == null) {
            throw new IllegalArgumentException("password hash is missing");
        }
        String[] parts = storedHash.split("\\$", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("password hash must have the form "
                    + SCHEME + "$<iterations>$<salt base64>$<hash base64>");
        }
        if (!parts[0].equals(SCHEME)) {
            throw new IllegalArgumentException("password hash scheme must be '" + SCHEME + "'");
        }
        int iterations;
        if (!parts[1].matches("[0-9]{1,9}")) {
            throw new IllegalArgumentException("password hash iteration count must be a decimal integer");
        }
        iterations = Integer.parseInt(parts[1]);
        checkIterations(iterations);
        byte[] salt = decode(parts[2], "salt");
        if (salt.length < MIN_SALT_BYTES) {
            throw new IllegalArgumentException("password hash salt must be at least " + MIN_SALT_BYTES
                    + " bytes, was " + salt.length);
        }
        byte[] hash = decode(parts[3], "hash");
        if (hash.length != HASH_BYTES) {
            throw new IllegalArgumentException("password hash must be " + HASH_BYTES + " bytes, was " + hash.length);
        }
        return new ParsedHash(iterations, salt, hash);
    }

    private static byte[] decode(String base64, String what) {
        if (base64.isEmpty() || base64.endsWith("=")) {
            throw new IllegalArgumentException("password hash " + what + " must be non-empty Base64 without padding");
        }
        try {
            return DECODER.decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("password hash " + what + " is not valid Base64");
        }
    }

    private static void checkIterations(int iterations) {
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("password hash iteration count must be between "
                    + MIN_ITERATIONS + " and " + MAX_ITERATIONS + ", was " + iterations);
        }
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

    /** A parsed stored hash. */
    record ParsedHash(int iterations, byte[] salt, byte[] hash) {}
}
