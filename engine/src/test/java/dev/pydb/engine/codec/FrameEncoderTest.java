package dev.pydb.engine.codec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class FrameEncoderTest {
    private static final byte[] BODY = "{\"ok\":true,\"result\":\"PONG\"}".getBytes(UTF_8);

    @Test
    void encodesHeaderAndBody() {
        assertThat(new String(FrameEncoder.encode(BODY), UTF_8))
                .isEqualTo("QUERY_LENGTH: " + BODY.length + "\r\n\r\n{\"ok\":true,\"result\":\"PONG\"}");
    }

    @Test
    void encodesAnEmptyBody() {
        assertThat(new String(FrameEncoder.encode(new byte[0]), UTF_8)).isEqualTo("QUERY_LENGTH: 0\r\n\r\n");
    }

    @Test
    void lengthIsInBytes() {
        byte[] body = "\"€\"".getBytes(UTF_8);
        assertThat(new String(FrameEncoder.header(body.length), UTF_8)).isEqualTo("QUERY_LENGTH: 5\r\n\r\n");
    }

    @Test
    void writesEveryLengthInDecimal() {
        for (int length : new int[] {0, 9, 10, 99, 100, 65_536, 999_999_999, 1_000_000_000, Integer.MAX_VALUE}) {
            assertThat(new String(FrameEncoder.header(length), UTF_8)).isEqualTo("QUERY_LENGTH: " + length + "\r\n\r\n");
        }
    }

    @Test
    void gatheringAndStreamFormsMatchTheArrayForm() throws IOException {
        ByteArrayOutputStream gathered = new ByteArrayOutputStream();
        for (ByteBuffer buffer : FrameEncoder.encodeGathering(BODY)) {
            gathered.write(buffer.array(), buffer.position(), buffer.remaining());
        }
        ByteArrayOutputStream streamed = new ByteArrayOutputStream();
        FrameEncoder.writeTo(streamed, BODY);

        assertThat(gathered.toByteArray()).isEqualTo(FrameEncoder.encode(BODY));
        assertThat(streamed.toByteArray()).isEqualTo(FrameEncoder.encode(BODY));
    }

    @Test
    void whatItEncodesTheDecoderReadsBack() {
        DecodedFrames result = new FrameDecoder(BODY.length).decodeAll(FrameEncoder.encode(BODY));

        assertThat(result.frames()).singleElement().isEqualTo(BODY);
    }

    @Test
    void rejectsANegativeLength() {
        assertThatThrownBy(() -> FrameEncoder.header(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
