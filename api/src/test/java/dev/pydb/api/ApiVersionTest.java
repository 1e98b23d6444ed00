package dev.pydb.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ApiVersionTest {
    @Test
    void theCurrentVersionComesFromTheBuild() {
        assertThat(ApiVersion.current().major()).isGreaterThanOrEqualTo(1);
        assertThat(ApiVersion.parse(ApiVersion.current().toString())).isEqualTo(ApiVersion.current());
    }

    @Test
    void parsesAndOrders() {
        assertThat(ApiVersion.parse("1.2")).isEqualTo(new ApiVersion(1, 2));
        assertThat(ApiVersion.parse(" 2.0 ")).isGreaterThan(ApiVersion.parse("1.9"));
        assertThat(ApiVersion.parse("1.10")).isGreaterThan(ApiVersion.parse("1.9"));
    }

    @Test
    void refusesOtherShapes() {
        for (String bad : new String[] {"1", "1.2.3", "v1.2", "", "1.-2"}) {
            assertThatThrownBy(() -> ApiVersion.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not an api version");
        }
        assertThatThrownBy(() -> ApiVersion.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
