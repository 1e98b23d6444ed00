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
import java.util.Set;

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

    /**
     * The fields of one entry object of the backend's files (a change in a log record, a document
     * in a snapshot): {@code op}, {@code key}, {@code rev}, {@code crc}, {@code doc}; null (or -1
     * for {@code rev}) when absent.
     */
    record Entry(String op, String key, long rev, String crc, byte[] doc) {}

    /** An entry with a field it may not have or a field of the wrong type. */
    static final class InvalidEntryException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidEntryException(String message) {
            super(message);
        }
    }

    /** Reads the entry object the parser is at (its {@code START_OBJECT}); only the {@code allowed} fields may appear. */
    static Entry readEntry(JsonParser parser, Set<String> allowed) throws IOException, InvalidEntryException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw new InvalidEntryException("expected an object, found " + parser.currentToken());
        }
        String op = null;
        String key = null;
        long rev = -1;
        String crc = null;
        byte[] doc = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if (!allowed.contains(field)) {
                throw new InvalidEntryException("unknown field '" + field + "'");
            }
            JsonToken expected = switch (field) {
                case "rev" -> JsonToken.VALUE_NUMBER_INT;
                case "doc" -> JsonToken.START_OBJECT;
                default -> JsonToken.VALUE_STRING;
            };
            if (value != expected) {
                throw new InvalidEntryException(field + ": expected " + expected + ", found " + value);
            }
            switch (field) {
                case "op" -> op = parser.getText();
                case "key" -> key = parser.getText();
                case "rev" -> rev = parser.getLongValue();
                case "crc" -> crc = parser.getText();
                case "doc" -> doc = copyObject(parser);
                default -> throw new InvalidEntryException("unknown field '" + field + "'");
            }
        }
        return new Entry(op, key, rev, crc, doc);
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
