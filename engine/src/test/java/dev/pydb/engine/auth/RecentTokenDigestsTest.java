package dev.pydb.engine.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

class RecentTokenDigestsTest {
    private final RecentTokenDigests recent = new RecentTokenDigests(2);

    @Test
    void remembersUpToItsCapacityAndThenTakesNoMore() {
        recent.remember("t1", "d1");
        recent.remember("t2", "d2");
        recent.remember("t3", "d3");

        assertThat(recent.size()).isEqualTo(2);
        assertThat(recent.digestOf("t1")).isEqualTo("d1");
        assertThat(recent.digestOf("t2")).isEqualTo("d2");
        assertThat(recent.digestOf("t3")).isNull();
    }

    @Test
    void aForgottenTokenMakesRoomForAnother() {
        recent.remember("t1", "d1");
        recent.remember("t2", "d2");

        recent.forget("t1");
        recent.remember("t3", "d3");

        assertThat(recent.digestOf("t1")).isNull();
        assertThat(recent.digestOf("t3")).isEqualTo("d3");
    }

    @Test
    void retainLiveForgetsTokensWhoseDigestIsGone() {
        recent.remember("t1", "d1");
        recent.remember("t2", "d2");

        recent.retainLive(Set.of("d2")::contains);

        assertThat(recent.digestOf("t1")).isNull();
        assertThat(recent.digestOf("t2")).isEqualTo("d2");
        assertThat(recent.size()).isEqualTo(1);
    }

    @Test
    void aNegativeCapacityIsRejected() {
        assertThatThrownBy(() -> new RecentTokenDigests(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
