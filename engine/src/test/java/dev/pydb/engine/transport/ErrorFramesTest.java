package dev.pydb.engine.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pydb.api.ErrorCode;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ErrorFramesTest {
    @Test
    void writesTheProtocolErrorShapeWithTheMessageEscaped() throws IOException {
        String message = "bad \"header\"\n\t\\ é";

        JsonNode body = new ObjectMapper().readTree(ErrorFrames.body(ErrorCode.BAD_FRAME, message));

        assertThat(body.size()).isEqualTo(2);
        assertThat(body.get("ok").isBoolean()).isTrue();
        assertThat(body.get("ok").booleanValue()).isFalse();
        assertThat(body.get("error").size()).isEqualTo(2);
        assertThat(body.get("error").get("code").textValue()).isEqualTo("BAD_FRAME");
        assertThat(body.get("error").get("message").textValue()).isEqualTo(message);
    }
}
