package dev.pydb.engine.codec;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * Everything {@link FrameDecoder#decodeAll} got out of one chunk of input: the complete frames in
 * order and, if framing broke after them, the error.
 */
public record DecodedFrames(List<byte[]> frames, Optional<FrameError> error) {
    public DecodedFrames {
        frames = List.copyOf(frames);
        requireNonNull(error, "error is null");
    }
}
