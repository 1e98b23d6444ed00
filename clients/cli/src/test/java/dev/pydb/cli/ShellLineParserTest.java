package dev.pydb.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ShellLineParserTest {
    @Test
    void splits_words_on_blanks() {
        assertThat(ShellLineParser.parse("  get   shop\tu1 ")).containsExactly("get", "shop", "u1");
        assertThat(ShellLineParser.parse("")).isEmpty();
        assertThat(ShellLineParser.parse("   ")).isEmpty();
    }

    @Test
    void keeps_json_objects_and_arrays_whole_including_blanks_and_brackets_in_strings() {
        assertThat(ShellLineParser.parse("put shop u1 {\"name\": \"Ann } Lee\", \"tags\": [1, {\"a\": 2}]} --rev 3"))
                .containsExactly("put", "shop", "u1", "{\"name\": \"Ann } Lee\", \"tags\": [1, {\"a\": 2}]}", "--rev", "3");
        assertThat(ShellLineParser.parse("batch shop [{\"action\": \"DELETE\", \"key\": \"a\\\"]\"}]"))
                .containsExactly("batch", "shop", "[{\"action\": \"DELETE\", \"key\": \"a\\\"]\"}]");
    }

    @Test
    void quotes_group_words_and_are_removed() {
        assertThat(ShellLineParser.parse("get shop 'a key' \"another \\\"one\\\"\" x'y z'"))
                .containsExactly("get", "shop", "a key", "another \"one\"", "xy z");
        assertThat(ShellLineParser.parse("call INCR '{\"db\": \"shop\"}'")).containsExactly("call", "INCR", "{\"db\": \"shop\"}");
    }

    @Test
    void an_open_quote_or_bracket_is_an_error() {
        assertThatThrownBy(() -> ShellLineParser.parse("get 'shop")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unclosed '");
        assertThatThrownBy(() -> ShellLineParser.parse("get \"shop")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ShellLineParser.parse("put shop k {\"a\": [1}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unclosed JSON");
    }
}
