package dev.pydb.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RespTest {
    private static String encoded(RequestTemplate template, long key) {
        byte[] bytes = new byte[template.length()];
        assertThat(template.writeTo(bytes, 0, key)).isEqualTo(bytes.length);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static RespReplyReader replies(String text) {
        return new RespReplyReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void getIsAGetCommandWithTheSameKeyNamePydbUses() {
        assertThat(encoded(new RespWire(100).template(Operation.GET), 42))
                .isEqualTo("*2\r\n$3\r\nGET\r\n$11\r\nk0000000042\r\n");
    }

    @Test
    void putIsASetOfTheDocumentPydbStores() {
        String document = RequestTemplate.document(5);
        assertThat(document).isEqualTo("{\"v\":\"xxxxx\"}");
        assertThat(encoded(new RespWire(5).template(Operation.PUT), 9_876_543_210L))
                .isEqualTo("*3\r\n$3\r\nSET\r\n$11\r\nk9876543210\r\n$13\r\n" + document + "\r\n");
    }

    @Test
    void onlyGetAndPutAreSupported() {
        assertThat(new RespWire(1).operations()).containsExactlyInAnyOrder(Operation.GET, Operation.PUT);
        assertThatThrownBy(() -> new RespWire(1).template(Operation.BATCH)).hasMessageContaining("BATCH");
    }

    @Test
    void repliesAreClassifiedOneAtATime() throws Exception {
        RespReplyReader reader = replies("+OK\r\n$5\r\nhe\r\nl\r\n$-1\r\n-WRONGTYPE Operation against a key\r\n:7\r\n"
                + "*2\r\n$1\r\na\r\n$-1\r\n-ERR\r\n*-1\r\n$0\r\n\r\n");

        assertThat(reader.read()).isNull();
        assertThat(reader.read()).as("a bulk string with CRLF inside").isNull();
        assertThat(reader.read()).isEqualTo(RespReplyReader.NOT_FOUND);
        assertThat(reader.read()).isEqualTo("WRONGTYPE");
        assertThat(reader.read()).isNull();
        assertThat(reader.read()).as("an array with a null element").isNull();
        assertThat(reader.read()).isEqualTo("ERR");
        assertThat(reader.read()).isEqualTo(RespReplyReader.NOT_FOUND);
        assertThat(reader.read()).as("the empty bulk string").isNull();
        assertThatThrownBy(reader::read).isInstanceOf(EOFException.class);
    }

    @Test
    void garbageIsRejected() {
        assertThatThrownBy(() -> replies("QUERY_LENGTH: 3\r\n\r\n{}\n").read()).hasMessageContaining("not a RESP reply");
        assertThatThrownBy(() -> replies("$x\r\n").read()).hasMessageContaining("not a RESP length");
        assertThatThrownBy(() -> replies("+OK\n").read()).isInstanceOf(EOFException.class);
    }
}
