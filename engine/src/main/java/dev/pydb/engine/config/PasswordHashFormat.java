package dev.pydb.engine.config;

import java.util.Base64;

/**
 * The stored form of a password hash, the {@code password_hash} of a user in the environment file:
 * <pre>pbkdf2-sha256$&lt;iterations&gt;$&lt;salt&gt;$&lt;hash&gt;</pre>
 * where {@code iterations} is a decimal integer between {@value #MIN_ITERATIONS} and
 * {@value #MAX_ITERATIONS}, {@code salt} at least {@value #MIN_SALT_BYTES} bytes and {@code hash}
 * exactly {@value #HASH_BYTES} bytes, both in standard Base64 without padding. Only the format: the
 * hashing itself is {@code auth.PasswordHasher}'s, so that binding the configuration needs no
 * cryptography.
 */
public final class PasswordHashFormat {
    /** The scheme name, the first field of a stored hash. */
    public static final String SCHEME = "pbkdf2-sha256";
    public static final int MIN_ITERATIONS = 1_000;
    public static final int MAX_ITERATIONS = 10_000_000;
    public static final int MIN_SALT_BYTES = 8;
    public static final int HASH_BYTES = 32;

    private static final Base64.Decoder DECODER = Base64.getDecoder();

    private PasswordHashFormat() {}

    /** A parsed stored hash. */
    public record Parsed(int iterations, byte[] salt, byte[] hash) {}

    /**
     * Parses a stored hash.
     *
     * @throws IllegalArgumentException naming what is wrong (never echoing the hash itself)
     */
    public static Parsed parse(String storedHash) {
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
        if (!parts[1].matches("[0-9]{1,9}")) {
            throw new IllegalArgumentException("password hash iteration count must be a decimal integer");
        }
        int iterations = Integer.parseInt(parts[1]);
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
        return new Parsed(iterations, salt, hash);
    }

    /** Fails unless {@code iterations} is within the allowed range. */
    public static void checkIterations(int iterations) {
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("password hash iteration count must be between "
                    + MIN_ITERATIONS + " and " + MAX_ITERATIONS + ", was " + iterations);
        }
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
}
