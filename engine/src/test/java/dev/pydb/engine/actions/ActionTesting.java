package dev.pydb.engine.actions;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import java.io.UncheckedIOException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** JSON literals and error assertions for handler tests. JSON may use single quotes. */
final class ActionTesting {
    private ActionTesting() {}

    static JsonNode json(String text) {
        try {
            return FakeRequestContext.JSON.readTree(text.replace('\'', '"'));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code node} written and read back, so that it compares equal to a parsed literal regardless
     * of the numeric node types the handler chose ({@code put(name, long)} makes a LongNode).
     */
    static JsonNode normalized(JsonNode node) {
        return json(node.toString());
    }

    static ObjectNode request(String text) {
        return (ObjectNode) json(text);
    }

    /** Asserts that {@code call} fails with a {@link PydbException} of {@code code}, and returns it. */
    static PydbException failure(ThrowingCallable call, ErrorCode code) {
        PydbException[] caught = new PydbException[1];
        assertThatThrownBy(call)
                .isInstanceOf(PydbException.class)
                .satisfies(e -> caught[0] = (PydbException) e)
                .extracting(e -> ((PydbException) e).code())
                .isEqualTo(code);
        return caught[0];
    }
}
