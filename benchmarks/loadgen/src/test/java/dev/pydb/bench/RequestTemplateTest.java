package dev.pydb.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RequestTemplateTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode body(RequestTemplate template, long key) throws Exception {
        byte[] frame = new byte[template.length()];
        assertThat(template.writeTo(frame, 0, key)).isEqualTo(frame.length);
        String text = new String(frame, StandardCharsets.UTF_8);
        int headerEnd = text.indexOf("\r\n\r\n") + 4;
        assertThat(text.substring(0, headerEnd))
                .isEqualTo("QUERY_LENGTH: " + (frame.length - headerEnd) + "\r\n\r\n");
        return JSON.readTree(text.substring(headerEnd));
    }

    @Test
    void putFrameCarriesTheSplicedKeyAndAValueOfTheGivenSize() throws Exception {
        JsonNode put = body(RequestTemplate.forOperation(Operation.PUT, "shop", 100, 1), 1234);

        assertThat(put.path("key").asText()).isEqualTo("k0000001234");
        assertThat(put.path("doc").path("v").asText()).hasSize(100);
    }

    @Test
    void batchSplicesTheKeyIntoEveryOp() throws Exception {
        JsonNode batch = body(RequestTemplate.forOperation(Operation.BATCH, "shop", 1, 3), 9_876_543_210L);

        assertThat(batch.path("ops")).extracting(op -> op.path("key").asText())
                .containsExactly("k9876543210-b0", "k9876543210-b1", "k9876543210-b2");
    }

    @Test
    void mixFollowsTheWeightsAndRejectsNonsense() {
        OperationMix mix = OperationMix.parse("GET=3, put=1");
        SplittableRandom random = new SplittableRandom(1);
        int gets = 0;
        for (int i = 0; i < 40_000; i++) {
            gets += mix.next(random) == Operation.GET ? 1 : 0;
        }
        assertThat(gets).isBetween(29_000, 31_000);
        assertThat(mix).hasToString("get=3,put=1");
        assertThatThrownBy(() -> OperationMix.parse("get=0")).hasMessageContaining("no operation");
        assertThatThrownBy(() -> OperationMix.parse("get=1,get=2")).hasMessageContaining("twice");
    }
}
