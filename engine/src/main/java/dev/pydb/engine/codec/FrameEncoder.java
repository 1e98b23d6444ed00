package dev.pydb.engine.codec;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * Writes bodies in the wire framing {@code QUERY_LENGTH: <n>\r\n\r\n<n bytes>}, the same framing
 * requests use. Stateless.
 */
public final class FrameEncoder {
    private static final byte[] PREFIX = "QUERY_LENGTH: ".getBytes(US_ASCII);
    private static final byte[] TERMINATOR = "\r\n\r\n".getBytes(US_ASCII);

    private FrameEncoder() {}

    /** The header for a body of {@code bodyLength} bytes. */
    public static byte[] header(int bodyLength) {
        if (bodyLength < 0) {
            throw new IllegalArgumentException("bodyLength must be >= 0, was " + bodyLength);
        }
        int digits = 1;
        for (int rest = bodyLength / 10; rest > 0; rest /= 10) {
            digits++;
        }
        byte[] header = new byte[PREFIX.length + digits + TERMINATOR.length];
        System.arraycopy(PREFIX, 0, header, 0, PREFIX.length);
        int end = PREFIX.length + digits;
        int value = bodyLength;
        for (int i = end - 1; i >= PREFIX.length; i--) {
            header[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        System.arraycopy(TERMINATOR, 0, header, end, TERMINATOR.length);
        return header;
    }

    /** Header and body in one array. */
    public static byte[] encode(byte[] body) {
        requireNonNull(body, "body is null");
        byte[] header = header(body.length);
        byte[] frame = new byte[header.length + body.length];
        System.arraycopy(header, 0, frame, 0, header.length);
        System.arraycopy(body, 0, frame, header.length, body.length);
        return frame;
    }

    /** Header and body as two buffers for a gathering write, without copying the body. */
    public static ByteBuffer[] encodeGathering(byte[] body) {
        requireNonNull(body, "body is null");
        return new ByteBuffer[] {ByteBuffer.wrap(header(body.length)), ByteBuffer.wrap(body)};
    }

    /** Writes header and body to {@code out} without copying the body; does not flush. */
    public static void writeTo(OutputStream out, byte[] body) throws IOException {
        requireNonNull(out, "out is null");
        requireNonNull(body, "body is null");
        out.write(header(body.length));
        out.write(body);
    }
}
