package dev.pydb.engine.actions;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.util.random.RandomGenerator;

/**
 * Generates document keys for INSERT without a {@code key}: 26 characters of Crockford Base32
 * ({@code 0-9A-Z} without {@code I L O U}), the ULID layout: 10 characters of the creation time in
 * milliseconds since the epoch, then 16 characters (80 bits) of randomness, e.g.
 * {@code 01JDB5Q8F4X9V2M7K3T6N0R8CZ}. The alphabet is in ASCII order, so keys sort by creation
 * time; keys made by one generator within the same millisecond increment the random part, so
 * they are strictly increasing. URL-safe, case-sensitive. Thread-safe.
 */
final class KeyGenerator {
    static final int LENGTH = 26;
    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final long MASK_16 = 0xFFFFL;
    private static final long MASK_40 = 0xFF_FFFF_FFFFL;

    private final Clock clock;
    private final RandomGenerator random;
    private long lastMillis = -1;
    private long randomHigh; // 16 bits
    private long randomLow; // 64 bits

    KeyGenerator(Clock clock, RandomGenerator random) {
        this.clock = requireNonNull(clock, "clock is null");
        this.random = requireNonNull(random, "random is null");
    }

    synchronized String next() {
        long millis = clock.millis();
        if (millis > lastMillis) {
            lastMillis = millis;
            randomHigh = random.nextLong() & MASK_16;
            randomLow = random.nextLong();
        } else {
            randomLow++;
            if (randomLow == 0) {
                randomHigh = (randomHigh + 1) & MASK_16;
                if (randomHigh == 0) {
                    lastMillis++;
                }
            }
        }
        char[] key = new char[LENGTH];
        encode(lastMillis, key, 0, 10);
        encode((randomHigh << 24) | (randomLow >>> 40), key, 10, 8);
        encode(randomLow & MASK_40, key, 18, 8);
        return new String(key);
    }

    private static void encode(long value, char[] out, int offset, int chars) {
        for (int i = offset + chars - 1; i >= offset; i--) {
            out[i] = ALPHABET[(int) (value & 31)];
            value >>>= 5;
        }
    }
}
