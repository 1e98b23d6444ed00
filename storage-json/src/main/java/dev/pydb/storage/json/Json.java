package dev.pydb.storage.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.pydb.api.PydbException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The JSON plumbing of the json backend: one {@link JsonFactory}, and copying of document bodies
 * into their stored form (compact, numbers copied exactly).
 */
final class Json {
    static final JsonFactory FACTORY = JsonFactory.builder()
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .build();

    private Json() {}

    /**
     * The stored form of a document body: the same JSON object, compact. {@code BAD_REQUEST} if
     * the bytes are not exactly one JSON object.
     */
    static byte[] normalize(byte[] body) {
        try (JsonParser parser = FACTORY.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw PydbException.badRequest("a document must be a JSON object");
            }
            byte[] result = copyObject(parser);
            if (parser.nextToken() != null) {
                throw PydbException.badRequest("a document must be one JSON object, found more after it");
            }
            return result;
        } catch (JsonProcessingException e) {
            throw PydbException.badRequest("a document must be valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies the object the parser is at (its {@code START_OBJECT}) into compact bytes. */
    static byte[] copyObject(JsonParser parser) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator generator = FACTORY.createGenerator(out)) {
            generator.copyCurrentStructureExact(parser);
        }
        return out.toByteArray();
    }
}
