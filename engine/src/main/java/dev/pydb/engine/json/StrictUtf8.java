package dev.pydb.engine.json;

import static java.util.Objects.requireNonNull;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * Strict UTF-8 validation of a request body before it is parsed. Jackson detects the encoding of
 * a {@code byte[]} by itself (UTF-16 and UTF-32 from zero bytes or a byte order mark) and its
 * UTF-8 decoder accepts overlong forms ({@code c0 af} for {@code /}) and UTF-8-encoded
 * surrogates; the protocol says bodies are UTF-8. So a body is accepted only if it is well-formed
 * UTF-8 as Unicode's Table 3-7 defines it (shortest forms only, no surrogates, nothing above
 * U+10FFFF), does not start with a byte order mark, and holds no NUL byte (JSON text never has
 * one unescaped, and without zero bytes and a BOM Jackson's detection can only settle on UTF-8).
 *
 * <p>One pass, eight ASCII bytes at a time; no allocation.
 */
public final class StrictUtf8 {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long LOW_BITS = 0x0101010101010101L;

    private StrictUtf8() {}

    /**
     * Why {@code bytes} is not a strict UTF-8 body (for example
     * {@code "overlong encoding at byte 12"}), or empty if it is one.
     */
    public static Optional<String> problem(byte[] bytes) {
        requireNonNull(bytes, "bytes is null");
        int n = bytes.length;
        if (n >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF) {
            return Optional.of("starts with a byte order mark (bodies are UTF-8 without BOM)");
        }
        int i = 0;
        while (i < n) {
            if (i + 8 <= n) {
                long word = (long) LONGS.get(bytes, i);
                // All eight bytes ASCII and none of them zero: skip them at once.
                if ((word & HIGH_BITS) == 0 && ((word - LOW_BITS) & ~word & HIGH_BITS) == 0) {
                    i += 8;
                    continue;
                }
            }
            int b = bytes[i] & 0xFF;
            if (b < 0x80) {
                if (b == 0) {
                    return Optional.of("NUL byte at byte " + i + " (a UTF-16 or UTF-32 body?)");
                }
                i++;
                continue;
            }
            int length;
            int min = 0x80;
            int max = 0xBF;
            if (b >= 0xC2 && b <= 0xDF) {
                length = 2;
            } else if (b >= 0xE0 && b <= 0xEF) {
                length = 3;
                if (b == 0xE0) {
                    min = 0xA0;
                } else if (b == 0xED) {
                    max = 0x9F;
                }
            } else if (b >= 0xF0 && b <= 0xF4) {
                length = 4;
                if (b == 0xF0) {
                    min = 0x90;
                } else if (b == 0xF4) {
                    max = 0x8F;
                }
            } else if (b == 0xC0 || b == 0xC1) {
                return Optional.of("overlong encoding at byte " + i);
            } else if (b >= 0x80 && b <= 0xBF) {
                return Optional.of("unexpected continuation byte at byte " + i);
            } else {
                return Optional.of("invalid byte 0x" + Integer.toHexString(b) + " at byte " + i);
            }
            if (i + length > n) {
                return Optional.of("truncated sequence at byte " + i);
            }
            int second = bytes[i + 1] & 0xFF;
            if (second < min || second > max) {
                if (second >= 0x80 && second <= 0xBF) {
                    return Optional.of((b == 0xED ? "UTF-8-encoded surrogate" : b == 0xF4 ? "code point above U+10FFFF"
                            : "overlong encoding") + " at byte " + i);
                }
                return Optional.of("truncated sequence at byte " + i);
            }
            for (int k = 2; k < length; k++) {
                int next = bytes[i + k] & 0xFF;
                if (next < 0x80 || next > 0xBF) {
                    return Optional.of("truncated sequence at byte " + i);
                }
            }
            i += length;
        }
        return Optional.empty();
    }
}
