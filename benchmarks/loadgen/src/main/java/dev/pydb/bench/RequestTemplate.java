package dev.pydb.bench;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One request as pre-serialised frame bytes (for py_db a {@code QUERY_LENGTH} header and JSON body,
 * for Redis a RESP command) with fixed-width key slots: writing a request is an array copy plus the key's digits, no JSON work.
 * Keys are {@code k} followed by {@value #KEY_DIGITS} decimal digits, so every frame of a
 * template has the same length.
 */
final class RequestTemplate {
    static final int KEY_DIGITS = 10;
    static final String KEY_SLOT = "\u0000".repeat(KEY_DIGITS + 1);

    private final byte[] frame;
    private final int[] keyDigitOffsets;

    private RequestTemplate(byte[] frame, int[] keyDigitOffsets) {
        this.frame = frame;
        this.keyDigitOffsets = keyDigitOffsets;
    }

    /** A template from a JSON body in which every {@link #KEY_SLOT} stands for the key. */
    static RequestTemplate of(String body) {
        requireNonNull(body, "body is null");
        byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
        byte[] header = ("QUERY_LENGTH: " + bodyBytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] frame = new byte[header.length + bodyBytes.length];
        System.arraycopy(header, 0, frame, 0, header.length);
        System.arraycopy(bodyBytes, 0, frame, header.length, bodyBytes.length);
        return withKeySlots(frame, header.length);
    }

    /**
     * A template from complete request bytes in which every {@link #KEY_SLOT} at or after
     * {@code from} stands for the key; {@code frame} is taken over, not copied.
     */
    static RequestTemplate withKeySlots(byte[] frame, int from) {
        requireNonNull(frame, "frame is null");
        List<Integer> offsets = new ArrayList<>();
        for (int i = from; i <= frame.length - KEY_SLOT.length(); i++) {
            if (frame[i] == 0 && isSlot(frame, i)) {
                frame[i] = 'k';
                offsets.add(i + 1);
                i += KEY_SLOT.length() - 1;
            }
        }
        return new RequestTemplate(frame, offsets.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The JSON body of a template for {@code operation} in {@code db}, documents with a {@code valueBytes}-long string. */
    static RequestTemplate forOperation(Operation operation, String db, int valueBytes, int batchSize) {
        String doc = document(valueBytes);
        String key = "\"" + KEY_SLOT + "\"";
        String body = switch (operation) {
            case GET -> "{\"action\":\"GET\",\"db\":\"" + db + "\",\"key\":" + key + "}";
            case PUT -> "{\"action\":\"PUT\",\"db\":\"" + db + "\",\"key\":" + key + ",\"doc\":" + doc + "}";
            case INSERT -> "{\"action\":\"INSERT\",\"db\":\"" + db + "\",\"doc\":" + doc + "}";
            case FIND -> "{\"action\":\"FIND\",\"db\":\"" + db + "\",\"after\":" + key + ",\"limit\":10}";
            case BATCH -> {
                StringBuilder ops = new StringBuilder();
                for (int i = 0; i < batchSize; i++) {
                    ops.append(i == 0 ? "" : ",").append("{\"action\":\"PUT\",\"key\":\"").append(KEY_SLOT)
                            .append("-b").append(i).append("\",\"doc\":").append(doc).append('}');
                }
                yield "{\"action\":\"BATCH\",\"db\":\"" + db + "\",\"ops\":[" + ops + "]}";
            }
        };
        return of(body);
    }

    /** The document every write stores: {@code {"v":"xxx..."}} with a {@code valueBytes}-long string. */
    static String document(int valueBytes) {
        return "{\"v\":\"" + "x".repeat(valueBytes) + "\"}";
    }

    /** The number of bytes {@link #writeTo} writes. */
    int length() {
        return frame.length;
    }

    /** Writes the frame for {@code key} (0 .. 10^{@value #KEY_DIGITS}-1) at {@code offset}; returns the offset after it. */
    int writeTo(byte[] target, int offset, long key) {
        System.arraycopy(frame, 0, target, offset, frame.length);
        for (int slot : keyDigitOffsets) {
            long rest = key;
            for (int i = KEY_DIGITS - 1; i >= 0; i--) {
                target[offset + slot + i] = (byte) ('0' + (int) (rest % 10));
                rest /= 10;
            }
        }
        return offset + frame.length;
    }

    /** The key text for {@code key}, as spliced into frames. */
    static String keyText(long key) {
        String digits = Long.toString(key);
        return "k" + "0".repeat(KEY_DIGITS - digits.length()) + digits;
    }

    private static boolean isSlot(byte[] bytes, int start) {
        for (int i = 0; i < KEY_SLOT.length(); i++) {
            if (bytes[start + i] != 0) {
                return false;
            }
        }
        return true;
    }
}
