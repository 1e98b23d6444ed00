package dev.pydb.engine.actions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Turns JSON documents into stored bodies (UTF-8 JSON, size-checked) and back. */
final class DocumentBodies {
    private DocumentBodies() {}

    /** The UTF-8 JSON of {@code document}; {@code LIMIT_EXCEEDED} if over {@code maxBytes}. */
    static byte[] encode(ObjectMapper json, JsonNode document, int maxBytes) {
        if (!document.isObject()) {
            throw PydbException.badRequest("a document must be a JSON object");
        }
        byte[] body;
        try {
            body = json.writeValueAsBytes(document);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot serialize a document", e);
        }
        if (body.length > maxBytes) {
            throw new PydbException(ErrorCode.LIMIT_EXCEEDED, "document is " + body.length
                    + " bytes of JSON, the limit is " + maxBytes);
        }
        return body;
    }

    /** The stored body of {@code document} parsed back into a JSON value. */
    static JsonNode decode(ObjectMapper json, Document document) {
        return decode(json, document.key(), document.body());
    }

    static JsonNode decode(ObjectMapper json, String key, byte[] body) {
        try {
            return json.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException("stored document '" + key + "' is not valid JSON", e);
        }
    }

    /** {@code {"key", "rev", "doc"}} of a stored document. */
    static ObjectNode entry(ObjectMapper json, Document document) {
        ObjectNode entry = json.createObjectNode();
        entry.put("key", document.key());
        entry.put("rev", document.rev());
        entry.set("doc", decode(json, document));
        return entry;
    }
}
