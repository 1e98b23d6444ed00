package dev.pydb.bench;

import static java.util.Objects.requireNonNull;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads RESP2 replies from a stream, one at a time, and classifies each: {@code +OK}, integers,
 * bulk strings and arrays succeed; {@code -ERR message} fails with its first word as the code
 * ({@code ERR}, {@code WRONGTYPE}, ...); a null bulk string or null array ({@code $-1},
 * {@code *-1}) fails with {@code NOT_FOUND}, as py_db's answer to a missing key does.
 */
final class RespReplyReader {
    static final String NOT_FOUND = "NOT_FOUND";
    private static final int MAX_LINE_BYTES = 64 * 1024;

    private final InputStream in;
    private final StringBuilder line = new StringBuilder();

    RespReplyReader(InputStream in) {
        this.in = requireNonNull(in, "in is null");
    }

    /** Reads one whole reply; returns null if it succeeded, else its error code. */
    String read() throws IOException {
        int type = readByte();
        String text = readLine();
        return switch (type) {
            case '+', ':' -> null;
            case '-' -> errorCode(text);
            case '$' -> {
                long length = number(text);
                if (length < 0) {
                    yield NOT_FOUND;
                }
                skip(length + 2);
                yield null;
            }
            case '*' -> {
                long count = number(text);
                if (count < 0) {
                    yield NOT_FOUND;
                }
                for (long i = 0; i < count; i++) {
                    read();
                }
                yield null;
            }
            default -> throw new BenchException("not a RESP reply: type byte " + type);
        };
    }

    private static String errorCode(String message) {
        int space = message.indexOf(' ');
        String code = space < 0 ? message : message.substring(0, space);
        return code.isEmpty() ? "?" : code;
    }

    private static long number(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new BenchException("not a RESP length: '" + text + "'");
        }
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("connection closed by the server");
        }
        return b;
    }

    private String readLine() throws IOException {
        line.setLength(0);
        while (true) {
            int b = readByte();
            if (b == '\r') {
                if (readByte() != '\n') {
                    throw new BenchException("RESP line without \\r\\n");
                }
                return line.toString();
            }
            if (line.length() >= MAX_LINE_BYTES) {
                throw new BenchException("RESP line longer than " + MAX_LINE_BYTES + " bytes");
            }
            line.append((char) b);
        }
    }

    private void skip(long bytes) throws IOException {
        in.skipNBytes(bytes);
    }
}
