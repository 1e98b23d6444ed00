package dev.pydb.storage.tck;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Document bodies for the compliance kit: UTF-8 JSON objects built from and read back into
 * Jackson trees. Bodies are compared as JSON values, so a backend may store them in a
 * normalized form (e.g. without insignificant whitespace).
 */
public final class Bodies {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Bodies() {}

    /** The UTF-8 bytes of {@code json}, which must be a JSON object. */
    public static byte[] json(String json) {
        return parse(json.getBytes(StandardCharsets.UTF_8)).toString().getBytes(StandardCharsets.UTF_8);
    }

    /** {@code {"n": n}}. */
    public static byte[] number(long n) {
        return json("{\"n\":" + n + "}");
    }

    /** The {@code n} field of a body made by {@link #number(long)}. */
    public static long numberOf(byte[] body) {
        JsonNode n = parse(body).get("n");
        if (n == null || !n.canConvertToLong()) {
            throw new IllegalStateException("body has no integer field 'n': " + new String(body, StandardCharsets.UTF_8));
        }
        return n.longValue();
    }

    /** The body parsed as a JSON object. */
    public static ObjectNode parse(byte[] body) {
        try {
            JsonNode node = MAPPER.readTree(body);
            if (!(node instanceof ObjectNode object)) {
                throw new IllegalStateException("body is not a JSON object: " + new String(body, StandardCharsets.UTF_8));
            }
            return object;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("body is not valid JSON: " + new String(body, StandardCharsets.UTF_8), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether two bodies hold the same JSON value. */
    public static boolean sameJson(byte[] a, byte[] b) {
        return parse(a).equals(parse(b));
    }
}
