package dev.pydb.storage.tck.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.query.Filter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * Random documents and random filters for property tests of a storage's own query evaluation
 * (an index, a pushdown): backend-neutral, seeded, so a failure names the seed that repeats it.
 * Compare what the storage answers with {@link ScanReference} on the same data.
 *
 * <p>Values are drawn from small pools so that filters do match: numbers that are equal by value
 * but written differently ({@code 1}, {@code 1.0}, {@code 1.10}, {@code 1e0}, {@code -0}), integers
 * beyond {@code long}, numbers beyond a {@code double} ({@code 1e400}); strings whose order differs
 * between code points and natural-language collations ({@code "a"}, {@code "B"}, {@code "é"},
 * {@code "z"}, {@code "😀"}, {@code "\uFF41"}), the empty string, strings with U+0000; booleans,
 * {@code null}, arrays and nested objects; fields that are absent, or present at a dotted path
 * through a value that is not an object. Documents and filters are parsed as the engine parses
 * them (decimals kept exactly, {@link #MAPPER}).
 */
public final class RandomQueries {
    /** Parses like the engine: decimals as {@link BigDecimal}, trailing zeros kept, duplicate keys refused. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);
    private static final List<String> FIELDS = List.of("a", "b", "n", "s", "o");
    private static final List<String> PATHS = List.of("a", "b", "n", "s", "o", "o.a", "o.n", "o.s", "o.o.a", "a.b", "missing");
    private static final List<String> NUMBERS = List.of("0", "-0", "1", "1.0", "1.10", "1e0", "2", "-1", "2.5", "10",
            "9223372036854775807", "9223372036854775808", "123456789012345678901234567890", "0.1", "0.10000000000000000001",
            "1e400", "-1e400", "1e-400", "3");
    private static final List<String> STRINGS = List.of("", "a", "B", "b", "é", "z", "Z", "😀", "\uFF41", "a\u0000b", "ab",
            "abc", "1", "true", "null");

    private final Random random;

    public RandomQueries(long seed) {
        this.random = new Random(seed);
    }

    /** A random document body (a JSON object, UTF-8). */
    public byte[] document() {
        ObjectNode document = NODES.objectNode();
        for (String field : FIELDS) {
            if (random.nextInt(4) != 0) {
                document.set(field, value(field.equals("o") ? 2 : 1));
            }
        }
        try {
            return MAPPER.writeValueAsString(document).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A random key: short, from a small alphabet with characters outside the BMP, so pages and order are tested. */
    public String key(int index) {
        String[] alphabet = {"a", "b", "B", "é", "😀", "0", "_"};
        StringBuilder key = new StringBuilder();
        int length = 1 + random.nextInt(4);
        for (int i = 0; i < length; i++) {
            key.append(alphabet[random.nextInt(alphabet.length)]);
        }
        return key.append('-').append(index).toString();
    }

    /** A random filter: comparisons on random paths, combined with implicit and, {@code $and} and {@code $or}. */
    public Filter filter() {
        return Filter.parse(filterJson(2));
    }

    /** The JSON of a random filter (the protocol syntax), nested up to {@code depth}. */
    public ObjectNode filterJson(int depth) {
        ObjectNode filter = NODES.objectNode();
        int parts = 1 + random.nextInt(2);
        for (int i = 0; i < parts; i++) {
            int kind = random.nextInt(depth > 0 ? 8 : 6);
            if (kind == 6 || kind == 7) {
                ArrayNode children = filter.putArray(kind == 6 ? "$and" : "$or");
                int count = 1 + random.nextInt(3);
                for (int c = 0; c < count; c++) {
                    children.add(filterJson(depth - 1));
                }
            } else {
                String path = PATHS.get(random.nextInt(PATHS.size()));
                if (!filter.has(path)) {
                    filter.set(path, condition());
                }
            }
        }
        return filter;
    }

    private JsonNode condition() {
        int kind = random.nextInt(10);
        return switch (kind) {
            case 0 -> value(1);
            case 1 -> operator("$eq", value(1));
            case 2 -> operator("$ne", value(1));
            case 3, 4 -> range();
            case 5 -> operator("$in", array(1 + random.nextInt(3)));
            case 6 -> operator("$nin", array(random.nextInt(3)));
            case 7 -> operator("$exists", NODES.booleanNode(random.nextBoolean()));
            case 8 -> {
                ObjectNode both = NODES.objectNode();
                both.set(random.nextBoolean() ? "$gt" : "$gte", scalarOrderable());
                both.set(random.nextBoolean() ? "$lt" : "$lte", scalarOrderable());
                yield both;
            }
            default -> operator("$eq", NODES.nullNode());
        };
    }

    private JsonNode range() {
        String[] operators = {"$gt", "$gte", "$lt", "$lte"};
        return operator(operators[random.nextInt(operators.length)], scalarOrderable());
    }

    private JsonNode scalarOrderable() {
        return random.nextBoolean() ? number() : NODES.textNode(STRINGS.get(random.nextInt(STRINGS.size())));
    }

    private ObjectNode operator(String name, JsonNode operand) {
        ObjectNode condition = NODES.objectNode();
        condition.set(name, operand);
        return condition;
    }

    private ArrayNode array(int size) {
        ArrayNode array = NODES.arrayNode();
        for (int i = 0; i < size; i++) {
            array.add(value(1));
        }
        return array;
    }

    private JsonNode value(int depth) {
        int kind = random.nextInt(depth > 0 ? 10 : 7);
        return switch (kind) {
            case 0, 1, 2 -> number();
            case 3, 4 -> NODES.textNode(STRINGS.get(random.nextInt(STRINGS.size())));
            case 5 -> NODES.booleanNode(random.nextBoolean());
            case 6 -> NODES.nullNode();
            case 7 -> array(random.nextInt(3));
            default -> {
                ObjectNode object = NODES.objectNode();
                for (String field : List.of("a", "n", "s", "o")) {
                    if (random.nextBoolean()) {
                        object.set(field, value(depth - 1));
                    }
                }
                yield object;
            }
        };
    }

    private JsonNode number() {
        String text = NUMBERS.get(random.nextInt(NUMBERS.size()));
        if (text.contains(".") || text.contains("e")) {
            return NODES.numberNode(new BigDecimal(text));
        }
        BigInteger integer = new BigInteger(text);
        return integer.bitLength() < 63 ? NODES.numberNode(integer.longValue()) : NODES.numberNode(integer);
    }
}
