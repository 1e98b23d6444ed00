package dev.pydb.engine.backup;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/** Reads {@code \n}-terminated lines of bytes from a stream, reusing one buffer. */
final class LineReader {
    private final InputStream in;
    private byte[] chunk = new byte[1 << 16];
    private int position;
    private int limit;
    private byte[] line = new byte[1 << 12];
    private int length;
    private boolean terminated;

    LineReader(InputStream in) {
        this.in = in;
    }

    /** Reads the next line into {@link #line()}; false at the end of the stream. */
    boolean next() throws IOException {
        length = 0;
        terminated = false;
        while (true) {
            if (position == limit) {
                limit = in.read(chunk, 0, chunk.length);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    return length > 0;
                }
            }
            int end = position;
            while (end < limit && chunk[end] != '\n') {
                end++;
            }
            append(position, end);
            if (end < limit) {
                position = end + 1;
                terminated = true;
                return true;
            }
            position = limit;
        }
    }

    private void append(int from, int to) {
        int n = to - from;
        if (length + n > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, length + n));
        }
        System.arraycopy(chunk, from, line, length, n);
        length += n;
    }

    byte[] line() {
        return line;
    }

    int length() {
        return length;
    }

    /** Whether the last line ended with {@code \n} (false: the file was cut inside it). */
    boolean terminated() {
        return terminated;
    }
}
