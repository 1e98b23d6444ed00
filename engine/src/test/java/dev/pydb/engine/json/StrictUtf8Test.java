package dev.pydb.engine.json;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StrictUtf8Test {
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
            "c0af, overlong encoding at byte 0",
            "c180, overlong encoding at byte 0",
            "e080af, overlong encoding at byte 0",
            "f08080af, overlong encoding at byte 0",
            "eda080, UTF-8-encoded surrogate at byte 0",
            "edbfbf, UTF-8-encoded surrogate at byte 0",
            "eda0bdedb880, UTF-8-encoded surrogate at byte 0",
            "f4908080, code point above U+10FFFF at byte 0",
            "f5808080, invalid byte 0xf5 at byte 0",
            "ff, invalid byte 0xff at byte 0",
            "fe, invalid byte 0xfe at byte 0",
            "80, unexpected continuation byte at byte 0",
            "c3, truncated sequence at byte 0",
            "e282, truncated sequence at byte 0",
            "c341, truncated sequence at byte 0",
            "e28241, truncated sequence at byte 0",
            "efbbbf7b7d, starts with a byte order mark (bodies are UTF-8 without BOM)",
            "7b0022007d00, NUL byte at byte 1 (a UTF-16 or UTF-32 body?)",
            "0000007b, NUL byte at byte 0 (a UTF-16 or UTF-32 body?)",
            "41424344454647484950c0af, overlong encoding at byte 10",
    })
    void refusesWithTheReasonAndOffset(String hex, String reason) {
        assertThat(StrictUtf8.problem(HexFormat.of().parseHex(hex))).contains(reason);
    }

    @Test
    void acceptsWellFormedUtf8IncludingTheExtremesOfEachLength() {
        for (String text : new String[] {"", "{}", "{\"a\":\"é\"}", "\u007f\u0080\u07ff\u0800\ud7ff\ue000\uffff",
                "\ud800\udc00\udbff\udfff", "ascii only, longer than eight bytes", "x\ufeffy"}) {
            assertThat(StrictUtf8.problem(text.getBytes(UTF_8))).as(text).isEmpty();
        }
    }

    @Test
    void agreesWithTheJdkDecoderOnEveryOneTwoAndThreeByteInput() {
        byte[] one = new byte[1];
        byte[] two = new byte[2];
        byte[] three = new byte[3];
        for (int a = 1; a < 256; a++) {
            one[0] = (byte) a;
            assertAgrees(one);
            two[0] = (byte) a;
            three[0] = (byte) a;
            for (int b = 1; b < 256; b++) {
                two[1] = (byte) b;
                assertAgrees(two);
                if (a >= 0xE0 && a <= 0xEF) {
                    three[1] = (byte) b;
                    for (int c = 1; c < 256; c += 7) {
                        three[2] = (byte) c;
                        assertAgrees(three);
                    }
                }
            }
        }
    }

    @Test
    void agreesWithTheJdkDecoderOnRandomInputs() {
        SplittableRandom random = new SplittableRandom(17);
        for (int i = 0; i < 200_000; i++) {
            byte[] bytes = new byte[random.nextInt(1, 24)];
            for (int k = 0; k < bytes.length; k++) {
                // Mostly ASCII with some lead and continuation bytes, so that valid multibyte inputs occur.
                int kind = random.nextInt(4);
                bytes[k] = (byte) (kind == 0 ? random.nextInt(1, 0x80) : kind == 1 ? random.nextInt(0x80, 0xC0)
                        : random.nextInt(0xC0, 0x100));
            }
            assertAgrees(bytes);
        }
    }

    /** Strict UTF-8 is what the JDK's decoder with REPORT accepts, minus a leading BOM and NUL bytes. */
    private static void assertAgrees(byte[] bytes) {
        boolean jdk;
        try {
            UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            jdk = true;
        } catch (CharacterCodingException e) {
            jdk = false;
        }
        boolean bom = bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF;
        boolean nul = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf('\0') >= 0;
        assertThat(StrictUtf8.problem(bytes).isEmpty()).as(HexFormat.of().formatHex(bytes)).isEqualTo(jdk && !bom && !nul);
    }
}
