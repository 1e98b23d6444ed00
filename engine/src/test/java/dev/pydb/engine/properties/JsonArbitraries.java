package dev.pydb.engine.properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** Random JSON for property tests: few field names (so patches and documents overlap), shallow nesting. */
final class JsonArbitraries {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonArbitraries() {}

    static Arbitrary<String> fieldNames() {
        return Arbitraries.of("a", "b", "c", "d", "é", "x.y");
    }

    static Arbitrary<JsonNode> scalars() {
        return Arbitraries.oneOf(
                Arbitraries.integers().between(-5, 5).map(NODES::numberNode),
                Arbitraries.bigDecimals().between(BigDecimal.valueOf(-5), BigDecimal.valueOf(5)).ofScale(2)
                        .map(NODES::numberNode),
                Arbitraries.strings().withChars("ab1é").ofMaxLength(3).map(NODES::textNode),
                Arbitraries.of(true, false).map(NODES::booleanNode));
    }

    /** Values without JSON {@code null} (which a merge patch reads as "remove"). */
    static Arbitrary<JsonNode> values(int depth) {
        if (depth == 0) {
            return scalars();
        }
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, scalars()),
                net.jqwik.api.Tuple.of(1, objects(depth - 1).map(JsonNode.class::cast)),
                net.jqwik.api.Tuple.of(1, values(depth - 1).list().ofMaxSize(3).map(JsonArbitraries::array)));
    }

    static Arbitrary<ObjectNode> objects(int depth) {
        return Arbitraries.maps(fieldNames(), values(depth)).ofMaxSize(4).map(JsonArbitraries::object);
    }

    /** Merge patches: objects whose values may also be {@code null} (remove the field). */
    static Arbitrary<ObjectNode> patches(int depth) {
        Arbitrary<JsonNode> value = depth == 0
                ? Arbitraries.oneOf(scalars(), Arbitraries.just(NODES.nullNode()))
                : Arbitraries.oneOf(scalars(), Arbitraries.just(NODES.nullNode()), values(depth - 1),
                        patches(depth - 1).map(JsonNode.class::cast));
        return Arbitraries.maps(fieldNames(), value).ofMaxSize(4).map(JsonArbitraries::object);
    }

    private static ObjectNode object(Map<String, JsonNode> fields) {
        ObjectNode node = NODES.objectNode();
        fields.forEach(node::set);
        return node;
    }

    private static ArrayNode array(List<JsonNode> items) {
        ArrayNode node = NODES.arrayNode();
        items.forEach(node::add);
        return node;
    }
}
