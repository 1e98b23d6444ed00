package dev.pydb.api.query;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pydb.api.PydbException;
import java.util.List;

/**
 * A dotted path into a document, as filters and indexes name fields: {@code "address.city"} is
 * the field {@code city} of the object in the field {@code address}. Segments are non-empty;
 * a path never reaches into arrays (an array is a value). Immutable.
 */
public record FieldPath(List<String> segments) {
    public FieldPath {
        segments = List.copyOf(requireNonNull(segments, "segments is null"));
        if (segments.isEmpty()) {
            throw new IllegalArgumentException("a field path needs at least one segment");
        }
        for (String segment : segments) {
            if (segment.isEmpty()) {
                throw new IllegalArgumentException("empty segment in field path " + segments);
            }
        }
    }

    /**
     * Parses a dotted path; {@code BAD_REQUEST} naming {@code where} (e.g. "filter") if a segment
     * is empty or the first one starts with {@code $}.
     */
    public static FieldPath parse(String dotted, String where) {
        requireNonNull(dotted, "dotted is null");
        String[] parts = dotted.split("\\.", -1);
        for (String part : parts) {
            if (part.isEmpty()) {
                throw PydbException.badRequest("invalid field path '" + dotted + "' in " + where + ": empty segment");
            }
        }
        if (parts[0].startsWith("$")) {
            throw PydbException.badRequest("invalid field path '" + dotted + "' in " + where
                    + ": a field name may not start with '$'");
        }
        return new FieldPath(List.of(parts));
    }

    /** The value at this path in {@code document}, or {@code null} if absent (JSON null is a value). */
    public JsonNode resolve(JsonNode document) {
        JsonNode node = document;
        for (String segment : segments) {
            if (node == null || !node.isObject()) {
                return null;
            }
            node = node.get(segment);
        }
        return node;
    }

    /** The dotted form, e.g. {@code address.city}. */
    public String dotted() {
        return String.join(".", segments);
    }

    @Override
    public String toString() {
        return dotted();
    }
}
