package dev.pydb.engine.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class JsonSupportTest {
    private final ObjectMapper json = JsonSupport.mapper(1000);

    @Test
    void nesting_is_limited() throws Exception {
        String ok = "[".repeat(JsonSupport.MAX_NESTING_DEPTH) + "]".repeat(JsonSupport.MAX_NESTING_DEPTH);
        assertThat(json.readTree(ok).isArray()).isTrue();
        String deep = "[".repeat(JsonSupport.MAX_NESTING_DEPTH + 1) + "]".repeat(JsonSupport.MAX_NESTING_DEPTH + 1);
        assertThatThrownBy(() -> json.readTree(deep)).isInstanceOf(StreamConstraintsException.class);
    }

    @Test
    void documents_and_strings_are_limited_to_the_frame_length() {
        assertThatThrownBy(() -> json.readTree("\"" + "a".repeat(1001) + "\""))
                .isInstanceOf(StreamConstraintsException.class);
        assertThatThrownBy(() -> json.readTree("[" + "1,".repeat(600) + "1]"))
                .isInstanceOf(StreamConstraintsException.class);
    }

    @Test
    void long_numbers_are_rejected() {
        ObjectMapper big = JsonSupport.mapper(1 << 20);
        assertThatThrownBy(() -> big.readTree("1" + "0".repeat(JsonSupport.MAX_NUMBER_LENGTH + 1)))
                .isInstanceOf(StreamConstraintsException.class);
    }

    @Test
    void duplicate_keys_and_trailing_tokens_are_rejected() {
        assertThatThrownBy(() -> json.readTree("{\"a\": 1, \"a\": 2}")).isInstanceOf(JsonProcessingException.class)
                .hasMessageContaining("Duplicate field 'a'");
        assertThatThrownBy(() -> json.readTree("{} {}")).isInstanceOf(JsonProcessingException.class);
        assertThatThrownBy(() -> json.readTree("{} x")).isInstanceOf(JsonProcessingException.class);
    }

    @Test
    void decimals_round_trip_exactly() throws Exception {
        assertThat(json.writeValueAsString(json.readTree("{\"a\": 1.10, \"b\": 1e400, \"c\": 0.1}")))
                .isEqualTo("{\"a\":1.10,\"b\":1E+400,\"c\":0.1}");
    }

    @Test
    void the_limit_must_be_positive() {
        assertThatThrownBy(() -> JsonSupport.mapper(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
