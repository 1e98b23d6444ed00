package dev.pydb.engine.actions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pydb.api.Names;
import dev.pydb.api.storage.KeyOrder;
import dev.pydb.engine.auth.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KeyGeneratorTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T03:00:00Z"));

    @Test
    void keysAre26UrlSafeCrockfordCharactersStartingWithTheTime() {
        KeyGenerator keys = new KeyGenerator(clock, new Random(1));

        String key = keys.next();

        assertThat(key).hasSize(26).matches("[0-9A-HJKMNP-TV-Z]{26}");
        assertThat(Names.requireKey(key)).isEqualTo(key);
        assertThat(Long.parseLong(decode(key.substring(0, 10)))).isEqualTo(clock.millis());
    }

    @Test
    void theEpochEncodesAsZeros() {
        KeyGenerator keys = new KeyGenerator(new MutableClock(Instant.EPOCH), new Random(1));

        assertThat(keys.next()).startsWith("0000000000");
    }

    @Test
    void keysWithinOneMillisecondStrictlyIncrease() {
        KeyGenerator keys = new KeyGenerator(clock, new Random(7));

        List<String> generated = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            generated.add(keys.next());
        }

        assertThat(generated).doesNotHaveDuplicates().isSortedAccordingTo(KeyOrder.COMPARATOR);
    }

    @Test
    void keysSortByCreationTimeEvenIfTheRandomPartIsSmaller() {
        Random descending = new Random() {
            private long next = Long.MAX_VALUE;

            @Override
            public long nextLong() {
                return next--;
            }
        };
        KeyGenerator keys = new KeyGenerator(clock, descending);

        String first = keys.next();
        clock.advance(Duration.ofMillis(1));
        String second = keys.next();

        assertThat(KeyOrder.compare(first, second)).isNegative();
    }

    @Test
    void aClockGoingBackwardsStillYieldsIncreasingKeys() {
        KeyGenerator keys = new KeyGenerator(clock, new Random(3));

        String first = keys.next();
        clock.advance(Duration.ofSeconds(-5));
        String second = keys.next();

        assertThat(KeyOrder.compare(first, second)).isNegative();
    }

    /** Crockford Base32 to decimal, for the time prefix. */
    private static String decode(String base32) {
        String alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        long value = 0;
        for (char c : base32.toCharArray()) {
            value = value * 32 + alphabet.indexOf(c);
        }
        return Long.toString(value);
    }
}
