package dev.pydb.engine.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pydb.api.storage.KeyOrder;
import java.util.Map;

/** Equality and order of JSON values as filters see them: numbers by value (1 == 1.0), strings by code point. */
final class JsonValues {
    private JsonValues() {}

    /** Deep equality; numbers compare numerically, object fields in any order. */
    static boolean equal(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return compareNumbers(a, b) == 0;
        }
        if (a.getNodeType() != b.getNodeType()) {
            return false;
        }
        if (a.isObject()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (Map.Entry<String, JsonNode> field : a.properties()) {
                JsonNode other = b.get(field.getKey());
                if (other == null || !equal(field.getValue(), other)) {
                    return false;
                }
            }
            return true;
        }
        if (a.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!equal(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    /** Whether {@link #compare} is defined for the two values: both numbers or both strings. */
    static boolean comparable(JsonNode a, JsonNode b) {
        return (a.isNumber() && b.isNumber()) || (a.isTextual() && b.isTextual());
    }

    /** Orders two {@link #comparable} values. */
    static int compare(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return compareNumbers(a, b);
        }
        if (a.isTextual() && b.isTextual()) {
            return KeyOrder.compare(a.textValue(), b.textValue());
        }
        throw new IllegalArgumentException("not comparable: " + a.getNodeType() + " and " + b.getNodeType());
    }

    private static int compareNumbers(JsonNode a, JsonNode b) {
        if (a.isIntegralNumber() && b.isIntegralNumber()) {
            if (a.canConvertToLong() && b.canConvertToLong()) {
                return Long.compare(a.longValue(), b.longValue());
            }
            return a.bigIntegerValue().compareTo(b.bigIntegerValue());
        }
        double da = a.doubleValue();
        double db = b.doubleValue();
        if (!Double.isFinite(da) || !Double.isFinite(db)) {
            return Double.compare(da, db);
        }
        return a.decimalValue().compareTo(b.decimalValue());
    }
}
