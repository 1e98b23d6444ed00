package dev.pydb.engine.codec;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pydb.api.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrameDecoderTest {
    private static final int LIMIT = 1000;

    private final FrameDecoder decoder = new FrameDecoder(LIMIT);

    @Test
    void aHeaderWaitsForAdmissionWithoutConsumingTheBodyAndGoesOnOnceAdmitted() {
        java.util.List<Integer> asked = new java.util.ArrayList<>();
        boolean[] admit = {false};
        decoder.setAdmission(length -> {
            asked.add(length);
            return admit[0];
        });
        java.nio.ByteBuffer input = java.nio.ByteBuffer.wrap(bytes("QUERY_LENGTH: 5\r\n\r\nhello"));

        assertThat(decoder.decode(input)).isInstanceOf(DecodeResult.NeedMoreInput.class);
        assertThat(decoder.awaitingAdmission()).isTrue();
        assertThat(decoder.declaredLength()).isEqualTo(5);
        assertThat(input.remaining()).isEqualTo(5);
        assertThat(decoder.decode(input)).isInstanceOf(DecodeResult.NeedMoreInput.class);
        assertThat(input.remaining()).isEqualTo(5);

        admit[0] = true;
        DecodeResult result = decoder.decode(input);

        assertThat(result).isInstanceOf(DecodeResult.Frame.class);
        assertThat(new String(((DecodeResult.Frame) result).body(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(decoder.awaitingAdmission()).isFalse();
        assertThat(asked).containsExactly(5, 5, 5);
    }

    @Test
    void anEmptyBodyIsAdmittedToo() {
        decoder.setAdmission(length -> length == 0);

        assertThat(bodies(decoder.decodeAll(bytes("QUERY_LENGTH: 0\r\n\r\n")))).containsExactly("");
    }

    @Test
    void decodesOneFrame() {
        DecodedFrames result = decoder.decodeAll(bytes("QUERY_LENGTH: 5\r\n\r\nhello"));

        assertThat(bodies(result)).containsExactly("hello");
        assertThat(result.error()).isEmpty();
        assertThat(decoder.inFrame()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "query_length: 2\r\n\r\n{}",
            "Query_Length: 2\r\n\r\n{}",
            "QUERY_LENGTH:2\r\n\r\n{}",
            "QUERY_LENGTH:\t2\r\n\r\n{}",
            "QUERY_LENGTH: \t \t2\r\n\r\n{}",
            "QUERY_LENGTH: 0000000002\r\n\r\n{}"})
    void acceptsEveryAllowedHeaderSpelling(String input) {
        DecodedFrames result = decoder.decodeAll(bytes(input));

        assertThat(result.error()).isEmpty();
        assertThat(bodies(result)).containsExactly("{}");
    }

    @Test
    void emptyBodyIsAFrame() {
        DecodedFrames result = decoder.decodeAll(bytes("QUERY_LENGTH: 0\r\n\r\n"));

        assertThat(result.error()).isEmpty();
        assertThat(result.frames()).singleElement().satisfies(body -> assertThat(body).isEmpty());
    }

    @Test
    void bodyLengthIsCountedInBytesNotCharacters() {
        byte[] body = "{\"k\":\"é€😀\"}".getBytes(UTF_8);
        DecodedFrames result = decoder.decodeAll(FrameEncoder.encode(body));

        assertThat(result.frames()).singleElement().isEqualTo(body);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "QUERY_LENGTH: -5\r\n\r\nhello",
            "QUERY_LENGTH: +5\r\n\r\nhello",
            "QUERY_LENGTH: 5x\r\n\r\nhello",
            "QUERY_LENGTH: x\r\n\r\n",
            "QUERY_LENGTH: 0x10\r\n\r\n",
            "QUERY_LENGTH: 5.0\r\n\r\nhello",
            "QUERY_LENGTH: \r\n\r\n",
            "QUERY_LENGTH 5\r\n\r\nhello",
            "QUERY_LENGTH : 5\r\n\r\nhello",
            " QUERY_LENGTH: 5\r\n\r\nhello",
            "QUERY_LENGTH: 5 \r\n\r\nhello",
            "QUERY_LENGTH: 5\n\nhello",
            "QUERY_LENGTH: 5\r\nhello",
            "QUERY_LENGTH: 5\r\n\r\r\nhello",
            "QUERY_LENGTH: 5\r\nQUERY_LENGTH: 5\r\n\r\nhello",
            "QUERY_LENGTH: QUERY_LENGTH: 5\r\n\r\nhello",
            "CONTENT_LENGTH: 5\r\n\r\nhello",
            "GET / HTTP/1.1\r\n\r\n",
            "{\"action\": \"PING\"}",
            "QUERY_LENGTH: 99999999999\r\n\r\n",
            "QUERY_LENGTH: 00000000001\r\n\r\nx"})
    void rejectsMalformedHeadersAsBadFrame(String input) {
        DecodedFrames result = decoder.decodeAll(bytes(input));

        assertThat(result.frames()).isEmpty();
        assertThat(result.error()).get().extracting(FrameError::code).isEqualTo(ErrorCode.BAD_FRAME);
        assertThat(decoder.failed()).isTrue();
    }

    @Test
    void rejectsNulAndBinaryGarbage() {
        assertThat(new FrameDecoder(LIMIT).decodeAll(new byte[] {0, 0, 0, 0}).error())
                .get().extracting(FrameError::code).isEqualTo(ErrorCode.BAD_FRAME);
        assertThat(new FrameDecoder(LIMIT).decodeAll(bytes("QUERY\0LENGTH: 1\r\n\r\nx")).error())
                .get().extracting(FrameError::code).isEqualTo(ErrorCode.BAD_FRAME);
        assertThat(new FrameDecoder(LIMIT).decodeAll(bytes("QUERY_LENGTH: 1\0\r\n\r\nx")).error())
                .get().extracting(FrameError::code).isEqualTo(ErrorCode.BAD_FRAME);
        byte[] garbage = new byte[4096];
        new java.util.Random(42).nextBytes(garbage);
        garbage[0] = (byte) 0xff;
        assertThat(new FrameDecoder(LIMIT).decodeAll(garbage).error())
                .get().extracting(FrameError::code).isEqualTo(ErrorCode.BAD_FRAME);
    }

    @Test
    void errorMessageNamesTheOffendingByteWithoutEchoingBinary() {
        DecodedFrames result = decoder.decodeAll(new byte[] {'Q', 0});

        assertThat(result.error()).get().extracting(FrameError::message).asString()
                .contains("0x00").contains("header byte 1");
    }

    @Test
    void rejectsHundredKilobyteHeaderWithoutTerminatorOnceOverOneKibibyte() {
        ByteArrayOutputStream input = new ByteArrayOutputStream();
        input.writeBytes(bytes("QUERY_LENGTH:"));
        input.writeBytes(bytes(" ".repeat(100 * 1024)));
        ByteBuffer buffer = ByteBuffer.wrap(input.toByteArray());

        DecodeResult result = decoder.decode(buffer);

        assertThat(result).isInstanceOfSatisfying(DecodeResult.Failed.class, failed -> {
            assertThat(failed.error().code()).isEqualTo(ErrorCode.BAD_FRAME);
            assertThat(failed.error().message()).contains("1024");
        });
        assertThat(buffer.position()).isEqualTo(FrameDecoder.MAX_HEADER_BYTES + 1);
    }

    @Test
    void acceptsAHeaderOfExactlyOneKibibyte() {
        String prefix = "QUERY_LENGTH:";
        String suffix = "2\r\n\r\n";
        String header = prefix + " ".repeat(FrameDecoder.MAX_HEADER_BYTES - prefix.length() - suffix.length()) + suffix;
        assertThat(header).hasSize(FrameDecoder.MAX_HEADER_BYTES);

        DecodedFrames result = decoder.decodeAll(bytes(header + "{}"));

        assertThat(result.error()).isEmpty();
        assertThat(bodies(result)).containsExactly("{}");
    }

    @Test
    void lengthAtTheLimitIsAccepted() {
        byte[] body = new byte[LIMIT];
        DecodedFrames result = decoder.decodeAll(FrameEncoder.encode(body));

        assertThat(result.error()).isEmpty();
        assertThat(result.frames()).singleElement().isEqualTo(body);
    }

    @Test
    void lengthOneOverTheLimitIsFrameTooLargeBeforeTheBodyArrives() {
        ByteBuffer header = ByteBuffer.wrap(bytes("QUERY_LENGTH: " + (LIMIT + 1) + "\r"));

        DecodeResult result = decoder.decode(header);

        assertThat(result).isInstanceOfSatisfying(DecodeResult.Failed.class, failed -> {
            assertThat(failed.error().code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
            assertThat(failed.error().message()).contains(String.valueOf(LIMIT + 1)).contains("max_query_length");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"4294967296", "4294967297", "2147483648", "9999999999", "18446744073"})
    void lengthsThatWouldTruncateOrOverflowAreNeverMistakenForSmallOnes(String length) {
        FrameDecoder decoder = new FrameDecoder(Integer.MAX_VALUE);

        DecodedFrames result = decoder.decodeAll(bytes("QUERY_LENGTH: " + length + "\r\n\r\n{}"));

        assertThat(result.frames()).isEmpty();
        assertThat(result.error()).get().extracting(FrameError::code)
                .isEqualTo(length.length() > 10 ? ErrorCode.BAD_FRAME : ErrorCode.FRAME_TOO_LARGE);
    }

    @Test
    void hugeDeclaredLengthAllocatesOnlyWhatArrives() {
        FrameDecoder decoder = new FrameDecoder(Integer.MAX_VALUE);

        DecodeResult result = decoder.decode(ByteBuffer.wrap(bytes("QUERY_LENGTH: 2147483647\r\n\r\n{")));

        assertThat(result).isInstanceOf(DecodeResult.NeedMoreInput.class);
        assertThat(decoder.inFrame()).isTrue();
    }

    @Test
    void declaredLengthLargerThanWhatIsSentYieldsNoFrame() {
        DecodedFrames result = decoder.decodeAll(bytes("QUERY_LENGTH: 10\r\n\r\nhello"));

        assertThat(result.frames()).isEmpty();
        assertThat(result.error()).isEmpty();
        assertThat(decoder.inFrame()).isTrue();

        assertThat(bodies(decoder.decodeAll(bytes("world")))).containsExactly("helloworld");
        assertThat(decoder.inFrame()).isFalse();
    }

    @Test
    void decodesByteAtATime() {
        byte[] input = bytes("query_length:\t3\r\n\r\nabcQUERY_LENGTH: 0\r\n\r\nQUERY_LENGTH: 2\r\n\r\nxy");
        List<String> bodies = new ArrayList<>();
        for (byte b : input) {
            DecodedFrames result = decoder.decodeAll(new byte[] {b});
            assertThat(result.error()).isEmpty();
            bodies.addAll(bodies(result));
        }

        assertThat(bodies).containsExactly("abc", "", "xy");
    }

    @Test
    void decodesSeveralFramesInOneBuffer() {
        ByteArrayOutputStream input = new ByteArrayOutputStream();
        for (int i = 0; i < 300; i++) {
            input.writeBytes(FrameEncoder.encode(bytes("{\"id\":" + i + "}")));
        }

        DecodedFrames result = decoder.decodeAll(input.toByteArray());

        assertThat(result.error()).isEmpty();
        assertThat(result.frames()).hasSize(300);
        assertThat(new String(result.frames().get(299), UTF_8)).isEqualTo("{\"id\":299}");
    }

    @Test
    void decodeStopsAtTheEndOfEachFrameAndLeavesTheRestInTheBuffer() {
        ByteBuffer input = ByteBuffer.wrap(bytes("QUERY_LENGTH: 1\r\n\r\naQUERY_LENGTH: 1\r\n\r\nb"));

        DecodeResult first = decoder.decode(input);

        assertThat(first).isInstanceOfSatisfying(DecodeResult.Frame.class,
                frame -> assertThat(frame.body()).isEqualTo(bytes("a")));
        assertThat(input.remaining()).isEqualTo(20);
        assertThat(decoder.decode(input)).isInstanceOfSatisfying(DecodeResult.Frame.class,
                frame -> assertThat(frame.body()).isEqualTo(bytes("b")));
        assertThat(decoder.decode(input)).isInstanceOf(DecodeResult.NeedMoreInput.class);
    }

    @Test
    void aBodySplitAcrossManyBuffersIsReassembled() {
        byte[] body = new byte[200_000];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) ('a' + i % 26);
        }
        FrameDecoder decoder = new FrameDecoder(body.length);
        byte[] frame = FrameEncoder.encode(body);
        List<byte[]> frames = new ArrayList<>();
        for (int offset = 0; offset < frame.length; offset += 997) {
            ByteBuffer chunk = ByteBuffer.wrap(frame, offset, Math.min(997, frame.length - offset));
            frames.addAll(decoder.decodeAll(chunk).frames());
        }

        assertThat(frames).singleElement().isEqualTo(body);
    }

    @Test
    void framesBeforeAnErrorAreStillDelivered() {
        DecodedFrames result = decoder.decodeAll(bytes("QUERY_LENGTH: 2\r\n\r\n{}QUERY_LENGTH: 2\r\n\r\n[]garbage"));

        assertThat(bodies(result)).containsExactly("{}", "[]");
        assertThat(result.error()).get().extracting(FrameError::code).isEqualTo(ErrorCode.BAD_FRAME);
    }

    @Test
    void aFailedDecoderStaysDeadAndConsumesNothing() {
        decoder.decodeAll(bytes("nope"));
        ByteBuffer valid = ByteBuffer.wrap(bytes("QUERY_LENGTH: 2\r\n\r\n{}"));

        DecodeResult result = decoder.decode(valid);

        assertThat(result).isInstanceOf(DecodeResult.Failed.class);
        assertThat(valid.position()).isZero();
        assertThat(decoder.failed()).isTrue();
        assertThat(decoder.inFrame()).isFalse();
    }

    @Test
    void inFrameTracksWhetherAFrameHasBegun() {
        assertThat(decoder.inFrame()).isFalse();
        decoder.decodeAll(bytes("Q"));
        assertThat(decoder.inFrame()).isTrue();
        decoder.decodeAll(bytes("UERY_LENGTH: 1\r\n\r\nx"));
        assertThat(decoder.inFrame()).isFalse();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(ISO_8859_1);
    }

    private static List<String> bodies(DecodedFrames result) {
        return result.frames().stream().map(b -> new String(b, UTF_8)).toList();
    }
}
