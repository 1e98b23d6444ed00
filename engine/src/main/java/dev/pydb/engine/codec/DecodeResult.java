package dev.pydb.engine.codec;

import static java.util.Objects.requireNonNull;

/** What one call of {@link FrameDecoder#decode} produced: a frame, a need for more input, or a framing error. */
public sealed interface DecodeResult {
    /** A complete frame body, exactly as received (possibly empty). */
    record Frame(byte[] body) implements DecodeResult {
        public Frame {
            requireNonNull(body, "body is null");
        }
    }

    /** All input was consumed without completing a frame. */
    record NeedMoreInput() implements DecodeResult {
        static final NeedMoreInput INSTANCE = new NeedMoreInput();
    }

    /** The input cannot be framed; the decoder is dead. */
    record Failed(FrameError error) implements DecodeResult {
        public Failed {
            requireNonNull(error, "error is null");
        }
    }
}
