package dev.pydb.storage.postgres;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.Map;

/**
 * Whether PostgreSQL's {@code jsonb} can hold a JSON value exactly enough for filters: it refuses
 * the string escape {@code \u0000} and lone UTF-16 surrogates, and its {@code numeric} holds at most
 * 131072 digits before and 16383 after the decimal point. A document it cannot hold is stored with
 * {@code body} NULL (its exact bytes are always kept in {@code raw}) and every query reads it and
 * checks it in Java, so it is never missed.
 *
 * <p>For filter operands there is one more rule: a number too large for a {@code double} is left to
 * Java, since {@link dev.pydb.api.query.FilterValues} compares such numbers as infinities.
 */
final class JsonbCompatibility {
    private static final int MAX_INTEGER_DIGITS = 131_072;
    private static final int MAX_FRACTION_DIGITS = 16_383;
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(Integer.MAX_VALUE).maxDocumentLength(0).maxNumberLength(Integer.MAX_VALUE)
                    .maxNameLength(Integer.MAX_VALUE).maxNestingDepth(10_000).build())
            .build();

    private JsonbCompatibility() {}

    /** Whether a document body (UTF-8 JSON) can be stored as {@code jsonb}. */
    static boolean canStore(byte[] body) {
        try (JsonParser parser = FACTORY.createParser(body)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                switch (token) {
                    case FIELD_NAME, VALUE_STRING -> {
                        if (!textFits(parser.getText())) {
                            return false;
                        }
                    }
                    case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                        if (!numberFits(parser.getDecimalValue())) {
                            return false;
                        }
                    }
                    default -> { }
                }
            }
            return true;
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    /** Whether a filter operand can be written as a {@code jsonb} literal that compares as Java does. */
    static boolean canCompare(JsonNode value) {
        if (value.isTextual()) {
            return textFits(value.textValue());
        }
        if (value.isNumber()) {
            return numberFits(value.decimalValue()) && Double.isFinite(value.doubleValue());
        }
        if (value.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (!textFits(field.getKey()) || !canCompare(field.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (value.isArray()) {
            for (JsonNode element : value) {
                if (!canCompare(element)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** No U+0000 and no lone surrogate. */
    static boolean textFits(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0) {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean numberFits(BigDecimal number) {
        int fraction = Math.max(0, number.scale());
        int integer = number.precision() - number.scale();
        return fraction <= MAX_FRACTION_DIGITS && integer <= MAX_INTEGER_DIGITS;
    }
}
