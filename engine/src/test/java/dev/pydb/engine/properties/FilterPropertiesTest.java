package dev.pydb.engine.properties;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.query.Filter;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Filter operators agree with each other. */
class FilterPropertiesTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    @Property
    void neIsTheNegationOfEqualityForPresentFields(@ForAll("scalars") JsonNode stored, @ForAll("scalars") JsonNode operand) {
        ObjectNode document = NODES.objectNode().set("f", stored);
        boolean equal = filter(NODES.objectNode().set("f", operand)).matches(document);
        boolean notEqual = filter(operatorFilter("$ne", operand)).matches(document);
        assertThat(notEqual).isEqualTo(!equal);
    }

    @Property
    void inWithOneValueIsEquality(@ForAll("scalars") JsonNode stored, @ForAll("scalars") JsonNode operand) {
        ObjectNode document = NODES.objectNode().set("f", stored);
        boolean equal = filter(NODES.objectNode().set("f", operand)).matches(document);
        boolean in = filter(operatorFilter("$in", NODES.arrayNode().add(operand))).matches(document);
        assertThat(in).isEqualTo(equal);
    }

    @Property
    void gtAndLteSplitComparableValues(@ForAll("scalars") JsonNode stored, @ForAll("scalars") JsonNode operand) {
        Assume.that((stored.isNumber() && operand.isNumber()) || (stored.isTextual() && operand.isTextual()));
        ObjectNode document = NODES.objectNode().set("f", stored);
        boolean gt = filter(operatorFilter("$gt", operand)).matches(document);
        boolean lte = filter(operatorFilter("$lte", operand)).matches(document);
        assertThat(gt).isNotEqualTo(lte);
    }

    @Property
    void aTypeMismatchNeverMatchesAnOrderingOperator(@ForAll("scalars") JsonNode stored, @ForAll("scalars") JsonNode operand) {
        Assume.that(operand.isNumber() || operand.isTextual());
        Assume.that(!(stored.isNumber() && operand.isNumber()) && !(stored.isTextual() && operand.isTextual()));
        ObjectNode document = NODES.objectNode().set("f", stored);
        for (String operator : new String[] {"$gt", "$gte", "$lt", "$lte"}) {
            assertThat(filter(operatorFilter(operator, operand)).matches(document)).as(operator).isFalse();
        }
    }

    @Property
    void existsSplitsPresentAndAbsentFields(@ForAll("documents") ObjectNode document) {
        boolean exists = filter(operatorFilter("$exists", NODES.booleanNode(true))).matches(document);
        boolean absent = filter(operatorFilter("$exists", NODES.booleanNode(false))).matches(document);
        assertThat(exists).isEqualTo(document.has("f")).isNotEqualTo(absent);
    }

    @Provide
    Arbitrary<JsonNode> scalars() {
        return JsonArbitraries.scalars();
    }

    @Provide
    Arbitrary<ObjectNode> documents() {
        return JsonArbitraries.objects(1).map(o -> o.has("a") ? o.set("f", o.get("a")) : o);
    }

    private static ObjectNode operatorFilter(String operator, JsonNode operand) {
        ObjectNode condition = NODES.objectNode().set(operator, operand);
        return NODES.objectNode().set("f", condition);
    }

    private static Filter filter(ObjectNode filter) {
        return Filter.parse(filter);
    }
}
