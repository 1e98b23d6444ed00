package dev.pydb.api.query;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pydb.api.storage.KeyOrder;
import java.util.Map;

/**
 * Equality and order of JSON values as filters see them. Part of the protocol: every backend that
 * evaluates filters itself (an index, a pushdown to another engine) must agree with these rules.
 * <ul>
 *   <li>Numbers compare by value: {@code 1 == 1.0 == 1e0}, integers of any size exactly.</li>
 *   <li>Strings compare by Unicode code point ({@link KeyOrder}).</li>
 *   <li>Objects are equal when they have the same fields with equal values, in any order;
 *       arrays when they have equal elements in the same order.</li>
 *   <li>Only two numbers or two strings are ordered ({@link #comparable}); a value of another
 *       type never satisfies {@code $gt}, {@code $gte}, {@code $lt} or {@code $lte}.</li>
 * </ul>
 */
public final class FilterValues {
    private FilterValues() {}

    /** Deep equality; numbers compare numerically, object fields in any order. */
    public static boolean equal(JsonNode a, JsonNode b) {
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
    public static boolean comparable(JsonNode a, JsonNode b) {
        return (a.isNumber() && b.isNumber()) || (a.isTextual() && b.isTextual());
    }

    /** Orders two {@link #comparable} values. */
    public static int compare(JsonNode a, JsonNode b) {
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
