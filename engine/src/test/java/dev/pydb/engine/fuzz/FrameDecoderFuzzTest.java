package dev.pydb.engine.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.pydb.engine.codec.DecodeResult;
import dev.pydb.engine.codec.DecodedFrames;
import dev.pydb.engine.codec.FrameDecoder;
import dev.pydb.engine.codec.FrameEncoder;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzzes the frame decoder with arbitrary bytes cut into arbitrary chunks: it never throws, it
 * decodes the same frames and the same error however the input is split, a failure is final, and
 * the frames it returns, encoded again by {@code FrameEncoder}, decode to the same frames.
 */
class FrameDecoderFuzzTest {
    private static final int MAX_BODY = 4096;

    @FuzzTest(maxDuration = "60s")
    void decodingIsIndependentOfChunkingAndNeverThrows(FuzzedDataProvider data) {
        // FuzzedDataProvider takes primitives from the end: a seed is the wire bytes, then one chunking byte.
        int chunkSeed = data.consumeInt(1, 64);
        byte[] input = data.consumeRemainingAsBytes();

        DecodedFrames whole = new FrameDecoder(MAX_BODY).decodeAll(input);

        FrameDecoder chunked = new FrameDecoder(MAX_BODY);
        List<byte[]> frames = new ArrayList<>();
        DecodeResult.Failed failure = null;
        int offset = 0;
        int step = 0;
        while (offset < input.length && failure == null) {
            int length = Math.min(input.length - offset, 1 + (chunkSeed * ++step) % 97);
            ByteBuffer chunk = ByteBuffer.wrap(input, offset, length);
            while (failure == null) {
                DecodeResult result = chunked.decode(chunk);
                if (result instanceof DecodeResult.Frame frame) {
                    frames.add(frame.body());
                } else if (result instanceof DecodeResult.Failed failed) {
                    failure = failed;
                } else {
                    break;
                }
            }
            offset += length - chunk.remaining();
            if (chunk.hasRemaining() && failure == null) {
                throw new AssertionError("the decoder asked for more input with bytes left");
            }
        }

        assertThat(frames).hasSameSizeAs(whole.frames());
        for (int i = 0; i < frames.size(); i++) {
            assertThat(frames.get(i)).isEqualTo(whole.frames().get(i));
            assertThat(frames.get(i).length).isLessThanOrEqualTo(MAX_BODY);
        }
        assertThat(failure == null ? null : failure.error()).isEqualTo(whole.error().orElse(null));
        if (failure != null) {
            assertThat(chunked.decode(ByteBuffer.wrap(new byte[] {'Q'}))).isEqualTo(failure);
            assertThat(chunked.failed()).isTrue();
        }
        ByteArrayOutputStream reencoded = new ByteArrayOutputStream();
        whole.frames().forEach(frame -> reencoded.writeBytes(FrameEncoder.encode(frame)));
        DecodedFrames again = new FrameDecoder(MAX_BODY).decodeAll(reencoded.toByteArray());
        assertThat(again.error()).as("our own encoding always decodes").isEmpty();
        assertThat(again.frames()).as("decode, encode, decode is the identity").hasSameSizeAs(whole.frames());
        for (int i = 0; i < frames.size(); i++) {
            assertThat(again.frames().get(i)).isEqualTo(whole.frames().get(i));
        }
    }
}
