package dev.pydb.engine.properties;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.engine.actions.MergePatch;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The laws of RFC 7386 JSON merge patch. */
class MergePatchPropertiesTest {
    @Property(tries = 200)
    void theEmptyPatchIsTheIdentity(@ForAll("documents") ObjectNode document) {
        assertThat(MergePatch.apply(document, JsonNodeFactory.instance.objectNode())).isEqualTo(document);
    }

    @Property(tries = 200)
    void applyingAPatchTwiceIsApplyingItOnce(@ForAll("documents") ObjectNode document, @ForAll("patches") ObjectNode patch) {
        JsonNode once = MergePatch.apply(document, patch);
        assertThat(MergePatch.apply(once, patch)).isEqualTo(once);
    }

    @Property(tries = 200)
    void neitherArgumentIsModified(@ForAll("documents") ObjectNode document, @ForAll("patches") ObjectNode patch) {
        ObjectNode documentBefore = document.deepCopy();
        ObjectNode patchBefore = patch.deepCopy();
        MergePatch.apply(document, patch);
        assertThat(document).isEqualTo(documentBefore);
        assertThat(patch).isEqualTo(patchBefore);
    }

    @Property(tries = 200)
    void nullFieldsAreRemovedAndOtherScalarFieldsAreSet(@ForAll("documents") ObjectNode document,
            @ForAll("patches") ObjectNode patch) {
        JsonNode result = MergePatch.apply(document, patch);
        for (Map.Entry<String, JsonNode> field : patch.properties()) {
            JsonNode value = field.getValue();
            if (value.isNull()) {
                assertThat(result.has(field.getKey())).isFalse();
            } else if (!value.isObject()) {
                assertThat(result.get(field.getKey())).isEqualTo(value);
            }
        }
        document.properties().stream().filter(field -> !patch.has(field.getKey()))
                .forEach(field -> assertThat(result.get(field.getKey())).isEqualTo(field.getValue()));
    }

    @Provide
    Arbitrary<ObjectNode> documents() {
        return JsonArbitraries.objects(2);
    }

    @Provide
    Arbitrary<ObjectNode> patches() {
        return JsonArbitraries.patches(2);
    }
}
