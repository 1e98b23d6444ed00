package dev.pydb.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {
    @ParameterizedTest
    @ValueSource(strings = {"a", "shop", "Shop_2024-x", "0123456789012345678901234567890123456789012345678901234567890123"})
    void validDatabaseNames(String name) {
        assertThat(Names.requireDatabaseName(name)).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "../etc", "a/b", "a b", "ü", "x.y", "01234567890123456789012345678901234567890123456789012345678901234"})
    void invalidDatabaseNamesAreBadRequests(String name) {
        assertThatThrownBy(() -> Names.requireDatabaseName(name))
                .isInstanceOfSatisfying(PydbException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
    }

    @Test
    void keysUpTo255BytesOfUtf8AreAccepted() {
        assertThat(Names.requireKey("k")).isEqualTo("k");
        assertThat(Names.requireKey("é".repeat(127) + "x")).hasSize(128);
        assertThat(Names.requireKey("\uD83D\uDE00")).isEqualTo("😀");
    }

    @Test
    void longKeysExceedTheLimit() {
        assertThatThrownBy(() -> Names.requireKey("é".repeat(128)))
                .isInstanceOfSatisfying(PydbException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\uD83D", "a\uDE00", "\uDE00\uD83D", "x\uD83Dy"})
    void emptyKeysAndLoneSurrogatesAreBadRequests(String key) {
        assertThatThrownBy(() -> Names.requireKey(key))
                .isInstanceOfSatisfying(PydbException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
    }
}
