package dev.pydb.engine.codec;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;

/**
 * Why a byte stream could not be framed: {@link ErrorCode#BAD_FRAME} or
 * {@link ErrorCode#FRAME_TOO_LARGE}, with a message for the client. Framing is lost after one.
 */
public record FrameError(ErrorCode code, String message) {
    public FrameError {
        requireNonNull(code, "code is null");
        requireNonNull(message, "message is null");
        if (code != ErrorCode.BAD_FRAME && code != ErrorCode.FRAME_TOO_LARGE) {
            throw new IllegalArgumentException("not a framing error code: " + code);
        }
    }

    static FrameError badFrame(String message) {
        return new FrameError(ErrorCode.BAD_FRAME, message);
    }

    static FrameError tooLarge(String message) {
        return new FrameError(ErrorCode.FRAME_TOO_LARGE, message);
    }
}
