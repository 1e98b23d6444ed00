package dev.pydb.engine.actions;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pydb.api.PydbException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.function.Predicate;

/**
 * A compiled FIND/COUNT filter. Syntax: an object of {@code "path": condition} pairs, all of
 * which must hold. A path is a field name or a dotted path into nested objects
 * ({@code "address.city"}). A condition is either a plain value (deep equality) or an object of
 * operators, all of which must hold:
 * <ul>
 *   <li>{@code $gt}, {@code $gte}, {@code $lt}, {@code $lte} (a number or a string): the field
 *       must be of the same kind and compare accordingly;</li>
 *   <li>{@code $ne} (any value): the field is absent or not equal;</li>
 *   <li>{@code $in} (an array): the field is present and equal to one of the elements;</li>
 *   <li>{@code $exists} (a boolean): the field is present (even if {@code null}) / absent.</li>
 * </ul>
 * Numbers compare by value ({@code 1 == 1.0}), strings by code point, objects and arrays deeply
 * (object fields in any order); a value of another type never matches (except for {@code $ne}).
 * Arrays are values: {@code {"tags": "a"}} does not match {@code {"tags": ["a"]}}. A plain
 * {@code null} matches a field that holds {@code null}, not an absent one. Anything else is
 * {@code BAD_REQUEST} naming the problem. Immutable and thread-safe.
 */
public final class Filter {
    private static final Filter MATCH_ALL = new Filter(List.of());

    private final List<Condition> conditions;

    private Filter(List<Condition> conditions) {
        this.conditions = List.copyOf(conditions);
    }

    /** The filter that matches every document. */
    public static Filter matchAll() {
        return MATCH_ALL;
    }

    /**
     * Compiles a filter.
     *
     * @param filter the request's {@code filter} field; {@code null}, a missing node or JSON
     *     {@code null} match everything
     */
    public static Filter compile(JsonNode filter) {
        if (filter == null || filter.isNull() || filter.isMissingNode()) {
            return MATCH_ALL;
        }
        if (!filter.isObject()) {
            throw PydbException.badRequest("field 'filter' must be an object");
        }
        List<Condition> conditions = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : filter.properties()) {
            String path = field.getKey();
            if (path.startsWith("$")) {
                throw PydbException.badRequest("unknown filter operator '" + path
                        + "': operators go inside a field's condition, e.g. {\"age\": {\"$gt\": 1}}");
            }
            conditions.add(new Condition(parsePath(path), compileCondition(path, field.getValue())));
        }
        return conditions.isEmpty() ? MATCH_ALL : new Filter(conditions);
    }

    /** Whether the filter matches everything (no condition). */
    public boolean matchesAll() {
        return conditions.isEmpty();
    }

    /** Whether {@code document} (a JSON object) satisfies every condition. */
    public boolean matches(JsonNode document) {
        requireNonNull(document, "document is null");
        for (Condition condition : conditions) {
            if (!condition.test().test(resolve(document, condition.path()))) {
                return false;
            }
        }
        return true;
    }

    private static String[] parsePath(String path) {
        String[] segments = path.split("\\.", -1);
        for (String segment : segments) {
            if (segment.isEmpty()) {
                throw PydbException.badRequest("invalid field path '" + path + "' in filter: empty segment");
            }
        }
        return segments;
    }

    /** The value at {@code path}, or {@code null} if absent. */
    private static JsonNode resolve(JsonNode document, String[] path) {
        JsonNode node = document;
        for (String segment : path) {
            if (node == null || !node.isObject()) {
                return null;
            }
            node = node.get(segment);
        }
        return node;
    }

    private static Predicate<JsonNode> compileCondition(String path, JsonNode condition) {
        if (!isOperatorObject(path, condition)) {
            JsonNode expected = condition.deepCopy();
            return value -> value != null && JsonValues.equal(value, expected);
        }
        List<Predicate<JsonNode>> tests = new ArrayList<>();
        for (Map.Entry<String, JsonNode> operator : condition.properties()) {
            tests.add(compileOperator(path, operator.getKey(), operator.getValue().deepCopy()));
        }
        return value -> {
            for (Predicate<JsonNode> test : tests) {
                if (!test.test(value)) {
                    return false;
                }
            }
            return true;
        };
    }

    private static boolean isOperatorObject(String path, JsonNode condition) {
        if (!condition.isObject() || condition.isEmpty()) {
            return false;
        }
        int operators = 0;
        Iterator<String> names = condition.fieldNames();
        while (names.hasNext()) {
            if (names.next().startsWith("$")) {
                operators++;
            }
        }
        if (operators != 0 && operators != condition.size()) {
            throw PydbException.badRequest("filter condition on '" + path + "' mixes operators and field names");
        }
        return operators != 0;
    }

    private static Predicate<JsonNode> compileOperator(String path, String operator, JsonNode operand) {
        return switch (operator) {
            case "$gt" -> ordered(path, operator, operand, c -> c > 0);
            case "$gte" -> ordered(path, operator, operand, c -> c >= 0);
            case "$lt" -> ordered(path, operator, operand, c -> c < 0);
            case "$lte" -> ordered(path, operator, operand, c -> c <= 0);
            case "$ne" -> value -> value == null || !JsonValues.equal(value, operand);
            case "$in" -> {
                if (!operand.isArray()) {
                    throw PydbException.badRequest("operator '$in' on '" + path + "' needs an array");
                }
                List<JsonNode> candidates = new ArrayList<>();
                operand.forEach(candidates::add);
                yield value -> value != null && candidates.stream().anyMatch(c -> JsonValues.equal(value, c));
            }
            case "$exists" -> {
                if (!operand.isBoolean()) {
                    throw PydbException.badRequest("operator '$exists' on '" + path + "' needs true or false");
                }
                boolean wanted = operand.booleanValue();
                yield value -> (value != null) == wanted;
            }
            default -> throw PydbException.badRequest("unknown filter operator '" + operator + "' on '" + path
                    + "' (known: $gt, $gte, $lt, $lte, $ne, $in, $exists)");
        };
    }

    private static Predicate<JsonNode> ordered(String path, String operator, JsonNode operand, IntPredicate accept) {
        if (!operand.isNumber() && !operand.isTextual()) {
            throw PydbException.badRequest("operator '" + operator + "' on '" + path + "' needs a number or a string");
        }
        return value -> value != null && JsonValues.comparable(value, operand)
                && accept.test(JsonValues.compare(value, operand));
    }

    private record Condition(String[] path, Predicate<JsonNode> test) {}
}
