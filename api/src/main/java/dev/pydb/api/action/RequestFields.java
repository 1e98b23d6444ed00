package dev.pydb.api.action;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.PydbException;
import java.util.Optional;
import java.util.OptionalLong;

/** Reads request fields, turning a missing or mistyped field into {@code BAD_REQUEST} naming it. */
public final class RequestFields {
    private RequestFields() {}

    public static String requiredString(ObjectNode request, String field) {
        return optionalString(request, field)
                .orElseThrow(() -> PydbException.badRequest("missing field '" + field + "' (a string)"));
    }

    public static Optional<String> optionalString(ObjectNode request, String field) {
        JsonNode value = request.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw PydbException.badRequest("field '" + field + "' must be a string");
        }
        return Optional.of(value.textValue());
    }

    public static ObjectNode requiredObject(ObjectNode request, String field) {
        return optionalObject(request, field)
                .orElseThrow(() -> PydbException.badRequest("missing field '" + field + "' (an object)"));
    }

    public static Optional<ObjectNode> optionalObject(ObjectNode request, String field) {
        JsonNode value = request.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isObject()) {
            throw PydbException.badRequest("field '" + field + "' must be an object");
        }
        return Optional.of((ObjectNode) value);
    }

    /** An optional integer field within [min, max]. */
    public static OptionalLong optionalLong(ObjectNode request, String field, long min, long max) {
        JsonNode value = request.get(field);
        if (value == null || value.isNull()) {
            return OptionalLong.empty();
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw PydbException.badRequest("field '" + field + "' must be an integer");
        }
        long result = value.longValue();
        if (result < min || result > max) {
            throw PydbException.badRequest("field '" + field + "' must be between " + min + " and " + max);
        }
        return OptionalLong.of(result);
    }

    /** The optional {@code rev} field: empty, 0 (must not exist) or a positive revision. */
    public static OptionalLong optionalRev(ObjectNode request) {
        return optionalLong(request, "rev", 0, Long.MAX_VALUE);
    }
}
