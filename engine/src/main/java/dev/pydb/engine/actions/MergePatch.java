package dev.pydb.engine.actions;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * JSON Merge Patch (RFC 7386): an object patch sets its fields on the target recursively, a
 * {@code null} field removes the field, and any other patch value replaces the target. Neither
 * argument is modified.
 */
public final class MergePatch {
    private MergePatch() {}

    /**
     * The result of applying {@code patch} to {@code target}.
     *
     * @param target the document, or {@code null} / a missing node for "no value"
     */
    public static JsonNode apply(JsonNode target, JsonNode patch) {
        requireNonNull(patch, "patch is null");
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject()
                ? ((ObjectNode) target).deepCopy()
                : JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> field : patch.properties()) {
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (value.isNull()) {
                result.remove(name);
            } else {
                result.set(name, apply(result.get(name), value));
            }
        }
        return result;
    }
}
