package dev.pydb.storage.postgres;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.query.FieldPath;
import dev.pydb.api.query.Filter;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Filter} compiled to a SQL condition over {@code documents.body} (JSONB), with the
 * semantics of {@link Filter#matches} and {@link dev.pydb.api.query.FilterValues}:
 * <ul>
 *   <li>a field is {@code body -> 'a' -> 'b'}: NULL when absent or when a step is not an object
 *       ({@code ->} with a text operand never indexes into an array: arrays are values);</li>
 *   <li>{@code $eq} is {@code body @> '{"a":{"b":x}}' AND field = 'x'::jsonb}: containment lets the
 *       GIN index ({@code jsonb_path_ops}) find the candidates, JSONB equality makes it exact (numbers
 *       by value, {@code 1 = 1.0}; objects in any key order; arrays in order);</li>
 *   <li>{@code $gt $gte $lt $lte} on a number: {@code jsonb_typeof(field) = 'number' AND field > 'n'::jsonb};
 *       on a string: {@code jsonb_typeof(field) = 'string' AND (body -> 'a' ->> 'b') COLLATE "C" > 's'}, so
 *       strings order by code point (byte order of UTF-8), never by the database's collation;</li>
 *   <li>{@code $ne} and {@code $nin} hold for an absent field; {@code $exists} is {@code field IS [NOT] NULL}
 *       (a JSON {@code null} is a present value).</li>
 * </ul>
 * Operand values go into the SQL as quoted literals (so expression indexes match them); an operand
 * JSONB cannot compare as Java does ({@link JsonbCompatibility#canCompare}) compiles to
 * {@code TRUE} and marks the condition inexact: it is then a superset, and every row is checked
 * with {@link Filter#matches} before it is returned. So a result is never wrong, only sometimes
 * slower. Immutable.
 *
 * @param sql the condition (never empty)
 * @param exact whether the condition is exactly {@link Filter#matches} for every document with a body
 */
record SqlFilter(String sql, boolean exact) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SqlFilter TRUE_EXACT = new SqlFilter("TRUE", true);
    private static final SqlFilter FALSE_EXACT = new SqlFilter("FALSE", true);
    private static final SqlFilter SUPERSET = new SqlFilter("TRUE", false);

    SqlFilter {
        requireNonNull(sql, "sql is null");
    }

    static SqlFilter compile(Filter filter) {
        requireNonNull(filter, "filter is null");
        return switch (filter) {
            case Filter.All all -> TRUE_EXACT;
            case Filter.And and -> join(and.children(), " AND ");
            case Filter.Or or -> join(or.children(), " OR ");
            case Filter.Comparison comparison -> comparison(comparison);
        };
    }

    private static SqlFilter join(List<Filter> children, String operator) {
        List<String> parts = new ArrayList<>();
        boolean exact = true;
        for (Filter child : children) {
            SqlFilter compiled = compile(child);
            parts.add("(" + compiled.sql + ")");
            exact &= compiled.exact;
        }
        return new SqlFilter(String.join(operator, parts), exact);
    }

    private static SqlFilter comparison(Filter.Comparison comparison) {
        FieldPath path = comparison.path();
        for (String segment : path.segments()) {
            if (!JsonbCompatibility.textFits(segment)) {
                return SUPERSET;
            }
        }
        JsonNode operand = comparison.operand();
        String field = field(path);
        return switch (comparison.operator()) {
            case EQ -> equal(path, operand);
            case NE -> negate(field, equal(path, operand));
            case IN -> anyEqual(path, operand);
            case NIN -> negate(field, anyEqual(path, operand));
            case EXISTS -> new SqlFilter(field + (operand.booleanValue() ? " IS NOT NULL" : " IS NULL"), true);
            case GT -> range(path, ">", operand);
            case GTE -> range(path, ">=", operand);
            case LT -> range(path, "<", operand);
            case LTE -> range(path, "<=", operand);
        };
    }

    private static SqlFilter equal(FieldPath path, JsonNode operand) {
        if (!JsonbCompatibility.canCompare(operand)) {
            return SUPERSET;
        }
        String value = jsonb(operand);
        String containment = "body @> " + jsonb(nest(path, operand));
        return new SqlFilter(containment + " AND " + field(path) + " = " + value, true);
    }

    private static SqlFilter anyEqual(FieldPath path, JsonNode candidates) {
        if (candidates.isEmpty()) {
            return FALSE_EXACT;
        }
        List<Filter> equalities = new ArrayList<>();
        for (JsonNode candidate : candidates) {
            equalities.add(new Filter.Comparison(path, Filter.Operator.EQ, candidate));
        }
        return equalities.size() == 1 ? compile(equalities.get(0)) : join(equalities, " OR ");
    }

    /** Absent, or present and not matching {@code positive}; a superset stays a superset. */
    private static SqlFilter negate(String field, SqlFilter positive) {
        if (!positive.exact) {
            return SUPERSET;
        }
        return new SqlFilter(field + " IS NULL OR NOT (" + positive.sql + ")", true);
    }

    private static SqlFilter range(FieldPath path, String operator, JsonNode value) {
        if (!JsonbCompatibility.canCompare(value)) {
            return SUPERSET;
        }
        String field = field(path);
        if (value.isNumber()) {
            return new SqlFilter("jsonb_typeof(" + field + ") = 'number' AND " + field + " " + operator + " "
                    + jsonb(value), true);
        }
        // the prefix condition lets the index on left(…, 200) narrow; the full comparison decides
        String operand = value.textValue();
        String prefix = operand.substring(0, operand.offsetByCodePoints(0,
                Math.min(PostgresIndexes.STRING_PREFIX, operand.codePointCount(0, operand.length()))));
        String prefixOperator = operator.startsWith(">") ? ">=" : "<=";
        return new SqlFilter("jsonb_typeof(" + field + ") = 'string' AND left(" + text(path) + ", "
                + PostgresIndexes.STRING_PREFIX + ") COLLATE \"C\" " + prefixOperator + " " + literal(prefix) + " AND "
                + text(path) + " COLLATE \"C\" " + operator + " " + literal(operand), true);
    }

    /** {@code (body -> 'a' -> 'b')}: the value at the path as JSONB, NULL when absent. */
    static String field(FieldPath path) {
        StringBuilder sql = new StringBuilder("(body");
        for (String segment : path.segments()) {
            sql.append(" -> ").append(literal(segment));
        }
        return sql.append(')').toString();
    }

    /** {@code (body -> 'a' ->> 'b')}: the value at the path as text (a string's characters). */
    static String text(FieldPath path) {
        StringBuilder sql = new StringBuilder("(body");
        List<String> segments = path.segments();
        for (int i = 0; i < segments.size(); i++) {
            sql.append(i == segments.size() - 1 ? " ->> " : " -> ").append(literal(segments.get(i)));
        }
        return sql.append(')').toString();
    }

    /** {@code {"a": {"b": value}}} for the path {@code a.b}. */
    private static JsonNode nest(FieldPath path, JsonNode value) {
        JsonNode nested = value;
        List<String> segments = path.segments();
        for (int i = segments.size() - 1; i >= 0; i--) {
            ObjectNode parent = JsonNodeFactory.instance.objectNode();
            parent.set(segments.get(i), nested);
            nested = parent;
        }
        return nested;
    }

    private static String jsonb(JsonNode value) {
        try {
            return literal(JSON.writeValueAsString(value)) + "::jsonb";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a filter operand", e);
        }
    }

    /** A SQL string literal (standard_conforming_strings is on: only quotes are doubled). */
    static String literal(String text) {
        if (text.indexOf(0) >= 0) {
            throw new IllegalArgumentException("a SQL literal cannot hold U+0000");
        }
        return "'" + text.replace("'", "''") + "'";
    }
}
