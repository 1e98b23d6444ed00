package dev.pydb.api.query;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pydb.api.PydbException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A parsed FIND/COUNT filter: the tree the engine hands to a storage that evaluates queries itself
 * ({@link dev.pydb.api.storage.Storage#find}), and the reference evaluation ({@link #matches})
 * every such storage must agree with.
 *
 * <h2>Syntax (the request's {@code filter} object)</h2>
 * An object of {@code "path": condition} pairs, all of which must hold, plus optionally
 * {@code "$and": [filter, …]} and {@code "$or": [filter, …]} (non-empty arrays of filter objects).
 * A path is a field name or a dotted path into nested objects ({@code "address.city"}). A condition
 * is either a plain value (deep equality, as {@code $eq}) or an object of operators, all of which
 * must hold:
 * <ul>
 *   <li>{@code $eq} (any value): the field is present and equal;</li>
 *   <li>{@code $ne} (any value): the field is absent or not equal;</li>
 *   <li>{@code $gt}, {@code $gte}, {@code $lt}, {@code $lte} (a number or a string): the field
 *       must be of the same kind and compare accordingly;</li>
 *   <li>{@code $in} (an array): the field is present and equal to one of the elements;</li>
 *   <li>{@code $nin} (an array): the field is absent or equal to none of the elements;</li>
 *   <li>{@code $exists} (a boolean): the field is present (even if {@code null}) / absent.</li>
 * </ul>
 * Equality and order are {@link FilterValues}'. Arrays are values: {@code {"tags": "a"}} does not
 * match {@code {"tags": ["a"]}}. A plain {@code null} matches a field that holds {@code null}, not
 * an absent one. Anything else is {@code BAD_REQUEST} naming the problem.
 *
 * <h2>Shape</h2>
 * {@link #parse} returns {@link #all()} for an empty or absent filter, a single {@link Comparison}
 * when there is one, and otherwise an {@link And} or {@link Or} whose children are never
 * {@code All}. Immutable and thread-safe.
 */
public sealed interface Filter {
    /** Whether {@code document} (a JSON object) satisfies the filter. */
    boolean matches(JsonNode document);

    /** The filter that matches every document. */
    static Filter all() {
        return All.INSTANCE;
    }

    /** Whether this filter matches every document. */
    default boolean matchesAll() {
        return this instanceof All;
    }

    /**
     * Parses the request's {@code filter} field; {@code null}, a missing node or JSON {@code null}
     * match everything.
     */
    static Filter parse(JsonNode filter) {
        if (filter == null || filter.isNull() || filter.isMissingNode()) {
            return all();
        }
        return FilterParser.parseObject(filter, "filter");
    }

    /** Every document. */
    enum All implements Filter {
        INSTANCE;

        @Override
        public boolean matches(JsonNode document) {
            requireNonNull(document, "document is null");
            return true;
        }

        @Override
        public String toString() {
            return "{}";
        }
    }

    /** All children hold (two or more). */
    record And(List<Filter> children) implements Filter {
        public And {
            children = List.copyOf(children);
            if (children.size() < 2) {
                throw new IllegalArgumentException("an And needs two or more children");
            }
        }

        @Override
        public boolean matches(JsonNode document) {
            for (Filter child : children) {
                if (!child.matches(document)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** At least one child holds (two or more). */
    record Or(List<Filter> children) implements Filter {
        public Or {
            children = List.copyOf(children);
            if (children.size() < 2) {
                throw new IllegalArgumentException("an Or needs two or more children");
            }
        }

        @Override
        public boolean matches(JsonNode document) {
            for (Filter child : children) {
                if (child.matches(document)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** One operator applied to one field. {@code operand} is an array for IN/NIN, a boolean for EXISTS. */
    record Comparison(FieldPath path, Operator operator, JsonNode operand) implements Filter {
        public Comparison {
            requireNonNull(path, "path is null");
            requireNonNull(operator, "operator is null");
            requireNonNull(operand, "operand is null");
            operator.checkOperand(path, operand);
            operand = operand.deepCopy();
        }

        @Override
        public boolean matches(JsonNode document) {
            requireNonNull(document, "document is null");
            return operator.test(path.resolve(document), operand);
        }

        @Override
        public String toString() {
            return "{\"" + path + "\": {\"" + operator.symbol() + "\": " + operand + "}}";
        }
    }

    /** The comparison operators. */
    enum Operator {
        EQ("$eq"),
        NE("$ne"),
        GT("$gt"),
        GTE("$gte"),
        LT("$lt"),
        LTE("$lte"),
        IN("$in"),
        NIN("$nin"),
        EXISTS("$exists");

        private final String symbol;

        Operator(String symbol) {
            this.symbol = symbol;
        }

        /** The operator as written in a filter, e.g. {@code $gte}. */
        public String symbol() {
            return symbol;
        }

        /** The operator written {@code symbol}, or {@code null}. */
        public static Operator ofSymbol(String symbol) {
            for (Operator operator : values()) {
                if (operator.symbol.equals(symbol)) {
                    return operator;
                }
            }
            return null;
        }

        /** Whether this is one of {@code $gt $gte $lt $lte}. */
        public boolean isRange() {
            return this == GT || this == GTE || this == LT || this == LTE;
        }

        void checkOperand(FieldPath path, JsonNode operand) {
            switch (this) {
                case GT, GTE, LT, LTE -> {
                    if (!operand.isNumber() && !operand.isTextual()) {
                        throw PydbException.badRequest("operator '" + symbol + "' on '" + path + "' needs a number or a string");
                    }
                }
                case IN, NIN -> {
                    if (!operand.isArray()) {
                        throw PydbException.badRequest("operator '" + symbol + "' on '" + path + "' needs an array");
                    }
                }
                case EXISTS -> {
                    if (!operand.isBoolean()) {
                        throw PydbException.badRequest("operator '$exists' on '" + path + "' needs true or false");
                    }
                }
                default -> { }
            }
        }

        /** Whether a field holding {@code value} ({@code null}: absent) satisfies this operator. */
        public boolean test(JsonNode value, JsonNode operand) {
            return switch (this) {
                case EQ -> value != null && FilterValues.equal(value, operand);
                case NE -> value == null || !FilterValues.equal(value, operand);
                case GT -> ordered(value, operand) && FilterValues.compare(value, operand) > 0;
                case GTE -> ordered(value, operand) && FilterValues.compare(value, operand) >= 0;
                case LT -> ordered(value, operand) && FilterValues.compare(value, operand) < 0;
                case LTE -> ordered(value, operand) && FilterValues.compare(value, operand) <= 0;
                case IN -> value != null && anyEqual(value, operand);
                case NIN -> value == null || !anyEqual(value, operand);
                case EXISTS -> (value != null) == operand.booleanValue();
            };
        }

        private static boolean ordered(JsonNode value, JsonNode operand) {
            return value != null && FilterValues.comparable(value, operand);
        }

        private static boolean anyEqual(JsonNode value, JsonNode candidates) {
            for (JsonNode candidate : candidates) {
                if (FilterValues.equal(value, candidate)) {
                    return true;
                }
            }
            return false;
        }
    }
}

/** The protocol syntax of {@link Filter}. */
final class FilterParser {
    private FilterParser() {}

    static Filter parseObject(JsonNode filter, String where) {
        if (!filter.isObject()) {
            throw PydbException.badRequest("field '" + where + "' must be an object");
        }
        List<Filter> parts = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : filter.properties()) {
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (name.equals("$and") || name.equals("$or")) {
                List<Filter> children = parseList(name, value, where);
                if (name.equals("$and")) {
                    parts.addAll(flattenAnd(children));
                } else {
                    parts.add(or(children));
                }
            } else if (name.startsWith("$")) {
                throw PydbException.badRequest("unknown filter operator '" + name
                        + "': operators go inside a field's condition, e.g. {\"age\": {\"$gt\": 1}}"
                        + " ($and and $or take an array of filters)");
            } else {
                parts.addAll(parseCondition(FieldPath.parse(name, "filter"), value));
            }
        }
        return and(parts);
    }

    private static List<Filter> parseList(String operator, JsonNode value, String where) {
        if (!value.isArray() || value.isEmpty()) {
            throw PydbException.badRequest("operator '" + operator + "' in " + where + " needs a non-empty array of filters");
        }
        List<Filter> children = new ArrayList<>();
        for (JsonNode child : value) {
            if (!child.isObject()) {
                throw PydbException.badRequest("operator '" + operator + "' in " + where + " needs an array of filter objects");
            }
            children.add(parseObject(child, where));
        }
        return children;
    }

    private static List<Filter> parseCondition(FieldPath path, JsonNode condition) {
        if (!isOperatorObject(path, condition)) {
            return List.of(new Filter.Comparison(path, Filter.Operator.EQ, condition));
        }
        List<Filter> comparisons = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : condition.properties()) {
            Filter.Operator operator = Filter.Operator.ofSymbol(entry.getKey());
            if (operator == null) {
                throw PydbException.badRequest("unknown filter operator '" + entry.getKey() + "' on '" + path
                        + "' (known: $eq, $ne, $gt, $gte, $lt, $lte, $in, $nin, $exists)");
            }
            comparisons.add(new Filter.Comparison(path, operator, entry.getValue()));
        }
        return comparisons;
    }

    private static boolean isOperatorObject(FieldPath path, JsonNode condition) {
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

    private static List<Filter> flattenAnd(List<Filter> children) {
        List<Filter> result = new ArrayList<>();
        for (Filter child : children) {
            if (child instanceof Filter.And and) {
                result.addAll(and.children());
            } else if (!child.matchesAll()) {
                result.add(child);
            }
        }
        return result;
    }

    private static Filter and(List<Filter> parts) {
        List<Filter> flat = flattenAnd(parts);
        return switch (flat.size()) {
            case 0 -> Filter.all();
            case 1 -> flat.get(0);
            default -> new Filter.And(flat);
        };
    }

    private static Filter or(List<Filter> children) {
        List<Filter> flat = new ArrayList<>();
        for (Filter child : children) {
            if (child.matchesAll()) {
                return Filter.all();
            }
            if (child instanceof Filter.Or or) {
                flat.addAll(or.children());
            } else {
                flat.add(child);
            }
        }
        return flat.size() == 1 ? flat.get(0) : new Filter.Or(flat);
    }
}
