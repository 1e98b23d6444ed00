package dev.pydb.engine.codec;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The incremental parser of the wire framing {@code QUERY_LENGTH: <n>\r\n\r\n<n bytes>}, one per
 * connection. Feed it input as it arrives, in chunks of any size; it returns each complete frame
 * body, or a {@link FrameError} after which it is dead (framing is lost). It does no I/O, so a
 * blocking reader and an event loop can share it. Not thread-safe.
 *
 * <p>Header rules: the name {@code QUERY_LENGTH} in any case, {@code :}, optional spaces and tabs,
 * 1 to 10 decimal digits, then exactly {@code \r\n\r\n}. Anything else, or a header of more than
 * {@value #MAX_HEADER_BYTES} bytes, is {@code BAD_FRAME}. A length over the limit is
 * {@code FRAME_TOO_LARGE}, detected as soon as the digits end and before any body memory is
 * allocated. The body buffer then grows with the bytes that actually arrive, so a client declaring
 * a large length costs memory only for what it sends. A {@link BodyAdmission} can hold a complete
 * header back until memory for its body is reserved (the server's memory budget).
 */
public final class FrameDecoder {
    /** The longest header accepted, in bytes, terminator included. */
    public static final int MAX_HEADER_BYTES = 1024;

    private static final byte[] NAME = "QUERY_LENGTH".getBytes(US_ASCII);
    private static final byte[] TERMINATOR = "\r\n\r\n".getBytes(US_ASCII);
    private static final int MAX_DIGITS = 10;
    private static final int INITIAL_BODY_CAPACITY = 64 * 1024;

    private enum State { NAME, COLON, BEFORE_DIGITS, DIGITS, TERMINATOR, ADMISSION, BODY, FAILED }

    /**
     * Asked once a header is complete, before any body memory is allocated: may a body of
     * {@code length} bytes be received now? If not, the decoder consumes nothing more and asks
     * again at the next {@link #decode} call (see {@link #awaitingAdmission()}).
     */
    @FunctionalInterface
    public interface BodyAdmission {
        BodyAdmission ALWAYS = length -> true;

        boolean admit(int length);
    }

    private int maxBodyLength;
    private String limitName = "max_query_length";

    private State state = State.NAME;
    private int position;
    private int headerBytes;
    private int digits;
    private long declaredLength;
    private byte[] body;
    private int bodyFilled;
    private DecodeResult.Failed failure;
    private BodyAdmission admission = BodyAdmission.ALWAYS;

    /** @param maxBodyLength the largest body accepted ({@code server.max_query_length}) */
    public FrameDecoder(int maxBodyLength) {
        if (maxBodyLength < 0) {
            throw new IllegalArgumentException("maxBodyLength must be >= 0, was " + maxBodyLength);
        }
        this.maxBodyLength = maxBodyLength;
    }

    /**
     * Changes the largest body accepted, for frames whose length is read from now on (a
     * connection's limit grows once it has logged in). {@code limitName} names the setting in the
     * {@code FRAME_TOO_LARGE} message.
     */
    public void setMaxBodyLength(int maxBodyLength, String limitName) {
        if (maxBodyLength < 0) {
            throw new IllegalArgumentException("maxBodyLength must be >= 0, was " + maxBodyLength);
        }
        this.maxBodyLength = maxBodyLength;
        this.limitName = Objects.requireNonNull(limitName, "limitName is null");
    }

    /** Sets who decides whether a body may be received now (default: always). */
    public void setAdmission(BodyAdmission admission) {
        this.admission = Objects.requireNonNull(admission, "admission is null");
    }

    /**
     * Whether a complete header waits for its body to be {@link BodyAdmission admitted}: the
     * decoder then returns {@link DecodeResult.NeedMoreInput} without consuming input.
     */
    public boolean awaitingAdmission() {
        return state == State.ADMISSION;
    }

    /** The declared body length of the frame being decoded (0 before its header is complete). */
    public long declaredLength() {
        return declaredLength;
    }

    /**
     * Consumes input up to the end of the next frame. Bytes after that frame stay in
     * {@code input} for the next call. Returns {@link DecodeResult.NeedMoreInput} once
     * {@code input} is empty without a complete frame. After a failure, returns the same failure
     * again and consumes nothing.
     */
    public DecodeResult decode(ByteBuffer input) {
        while (state != State.FAILED) {
            if (state == State.ADMISSION) {
                if (!admission.admit((int) declaredLength)) {
                    return DecodeResult.NeedMoreInput.INSTANCE;
                }
                DecodeResult empty = startAdmittedBody();
                if (empty != null) {
                    return empty;
                }
                continue;
            }
            if (state == State.BODY) {
                if (readBody(input)) {
                    return completeFrame(body);
                }
                return DecodeResult.NeedMoreInput.INSTANCE;
            }
            if (!input.hasRemaining()) {
                return DecodeResult.NeedMoreInput.INSTANCE;
            }
            byte b = input.get();
            if (++headerBytes > MAX_HEADER_BYTES) {
                fail(FrameError.badFrame("frame header is longer than " + MAX_HEADER_BYTES
                        + " bytes without \\r\\n\\r\\n"));
                break;
            }
            DecodeResult frame = headerByte(b);
            if (frame != null) {
                return frame;
            }
        }
        return failure;
    }

    /** Decodes everything in {@code input}: the complete frames, then the error if framing broke. */
    public DecodedFrames decodeAll(ByteBuffer input) {
        List<byte[]> frames = new ArrayList<>();
        while (true) {
            switch (decode(input)) {
                case DecodeResult.Frame frame -> frames.add(frame.body());
                case DecodeResult.NeedMoreInput ignored -> {
                    return new DecodedFrames(frames, Optional.empty());
                }
                case DecodeResult.Failed failed -> {
                    return new DecodedFrames(frames, Optional.of(failed.error()));
                }
            }
        }
    }

    /** {@link #decodeAll(ByteBuffer)} of a whole array. */
    public DecodedFrames decodeAll(byte[] input) {
        return decodeAll(ByteBuffer.wrap(input));
    }

    /** Whether part of a frame has been consumed and the rest has not arrived yet. */
    public boolean inFrame() {
        return state != State.FAILED && (state != State.NAME || position > 0);
    }

    /** Whether framing broke; the decoder accepts no more input. */
    public boolean failed() {
        return state == State.FAILED;
    }

    /** Handles one header byte; returns a result when the frame is done (empty body) or broken, else null. */
    private DecodeResult headerByte(byte b) {
        switch (state) {
            case NAME -> {
                if (toUpperAscii(b) != NAME[position]) {
                    return fail(unexpected(b, "the header must start with 'QUERY_LENGTH:'"));
                }
                if (++position == NAME.length) {
                    state = State.COLON;
                }
            }
            case COLON -> {
                if (b != ':') {
                    return fail(unexpected(b, "expected ':' after QUERY_LENGTH"));
                }
                state = State.BEFORE_DIGITS;
            }
            case BEFORE_DIGITS -> {
                if (b == ' ' || b == '\t') {
                    return null;
                }
                if (!isDigit(b)) {
                    return fail(unexpected(b, "the length must be 1 to 10 decimal digits"));
                }
                state = State.DIGITS;
                addDigit(b);
            }
            case DIGITS -> {
                if (isDigit(b)) {
                    if (digits == MAX_DIGITS) {
                        return fail(FrameError.badFrame("the length has more than " + MAX_DIGITS + " digits"));
                    }
                    addDigit(b);
                } else if (b == TERMINATOR[0]) {
                    if (declaredLength > maxBodyLength) {
                        return fail(FrameError.tooLarge("frame body of " + declaredLength
                                + " bytes is over " + limitName + " (" + maxBodyLength + ")"));
                    }
                    state = State.TERMINATOR;
                    position = 1;
                } else {
                    return fail(unexpected(b, "the length must be followed by \\r\\n\\r\\n"));
                }
            }
            case TERMINATOR -> {
                if (b != TERMINATOR[position]) {
                    return fail(unexpected(b, "the length must be followed by exactly \\r\\n\\r\\n"));
                }
                if (++position == TERMINATOR.length) {
                    return startBody();
                }
            }
            default -> throw new IllegalStateException("not in a header state: " + state);
        }
        return null;
    }

    private DecodeResult startBody() {
        if (!admission.admit((int) declaredLength)) {
            state = State.ADMISSION;
            return DecodeResult.NeedMoreInput.INSTANCE;
        }
        return startAdmittedBody();
    }

    private DecodeResult startAdmittedBody() {
        int length = (int) declaredLength;
        if (length == 0) {
            return completeFrame(new byte[0]);
        }
        body = new byte[Math.min(length, INITIAL_BODY_CAPACITY)];
        bodyFilled = 0;
        state = State.BODY;
        return null;
    }

    /** Copies body bytes from {@code input}; true once the whole body is there. */
    private boolean readBody(ByteBuffer input) {
        int length = (int) declaredLength;
        while (bodyFilled < length && input.hasRemaining()) {
            if (bodyFilled == body.length) {
                body = Arrays.copyOf(body, (int) Math.min(length, 2L * body.length));
            }
            int n = Math.min(body.length - bodyFilled, input.remaining());
            input.get(body, bodyFilled, n);
            bodyFilled += n;
        }
        return bodyFilled == length;
    }

    private DecodeResult completeFrame(byte[] frameBody) {
        state = State.NAME;
        position = 0;
        headerBytes = 0;
        digits = 0;
        declaredLength = 0;
        body = null;
        bodyFilled = 0;
        return new DecodeResult.Frame(frameBody);
    }

    private void addDigit(byte b) {
        digits++;
        declaredLength = declaredLength * 10 + (b - '0');
    }

    private DecodeResult fail(FrameError error) {
        state = State.FAILED;
        body = null;
        failure = new DecodeResult.Failed(error);
        return failure;
    }

    private FrameError unexpected(byte b, String rule) {
        return FrameError.badFrame("bad frame header: " + rule + ", got " + describe(b)
                + " at header byte " + (headerBytes - 1));
    }

    private static String describe(byte b) {
        return b >= 0x21 && b <= 0x7e ? "'" + (char) b + "'" : String.format("byte 0x%02X", b & 0xff);
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static byte toUpperAscii(byte b) {
        return b >= 'a' && b <= 'z' ? (byte) (b - ('a' - 'A')) : b;
    }
}
