package dev.pydb.engine.properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.Names;
import dev.pydb.api.PydbException;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;

/** Key validation: exactly the non-empty strings that UTF-8 encodes in at most 255 bytes are keys. */
class KeyPropertiesTest {
    @Property
    void aKeyIsAcceptedExactlyWhenItIsNonEmptyEncodableAndShortEnough(@ForAll @StringLength(max = 300) String key) {
        byte[] utf8 = key.getBytes(StandardCharsets.UTF_8);
        boolean encodable = new String(utf8, StandardCharsets.UTF_8).equals(key);
        if (key.isEmpty() || !encodable) {
            assertThatThrownBy(() -> Names.requireKey(key)).isInstanceOf(PydbException.class)
                    .extracting(e -> ((PydbException) e).code()).isEqualTo(ErrorCode.BAD_REQUEST);
        } else if (utf8.length > Names.MAX_KEY_BYTES) {
            assertThatThrownBy(() -> Names.requireKey(key)).isInstanceOf(PydbException.class)
                    .extracting(e -> ((PydbException) e).code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
        } else {
            assertThat(Names.requireKey(key)).isEqualTo(key);
            assertThat(Names.utf8Length(key)).isEqualTo(utf8.length);
        }
    }

    @Property
    void databaseNamesNeverReachOutsideTheirFolder(@ForAll @StringLength(max = 70) String name) {
        if (Names.isValidDatabaseName(name)) {
            assertThat(name).doesNotContain("/", "\\", "..", "\0").isNotBlank();
        }
    }
}
