package dev.pydb.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The operations of one atomic BATCH, built in order:
 * {@code Batch.builder().insert("o1", doc).update("u1", patch, 3).delete("cart").build()}.
 */
public final class Batch {
    private final ArrayNode ops;

    private Batch(ArrayNode ops) {
        this.ops = ops;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The {@code ops} array of the request (a copy). */
    public ArrayNode ops() {
        return ops.deepCopy();
    }

    /** How many operations the batch holds. */
    public int size() {
        return ops.size();
    }

    /** Adds operations in order; every method returns this builder. */
    public static final class Builder {
        private final ArrayNode ops = JsonNodeFactory.instance.arrayNode();

        private Builder() {
        }

        public Builder insert(ObjectNode doc) {
            ops.addObject().put("action", "INSERT").set("doc", requireNonNull(doc, "doc is null").deepCopy());
            return this;
        }

        public Builder insert(String key, ObjectNode doc) {
            ops.addObject().put("action", "INSERT").put("key", requireNonNull(key, "key is null"))
                    .set("doc", requireNonNull(doc, "doc is null").deepCopy());
            return this;
        }

        public Builder put(String key, ObjectNode doc) {
            op("PUT", key).set("doc", requireNonNull(doc, "doc is null").deepCopy());
            return this;
        }

        /** A compare-and-set PUT: only if the stored revision is {@code rev} (0: only if absent). */
        public Builder put(String key, ObjectNode doc, long rev) {
            op("PUT", key).put("rev", rev).set("doc", requireNonNull(doc, "doc is null").deepCopy());
            return this;
        }

        public Builder update(String key, ObjectNode patch) {
            op("UPDATE", key).set("patch", requireNonNull(patch, "patch is null").deepCopy());
            return this;
        }

        public Builder update(String key, ObjectNode patch, long rev) {
            op("UPDATE", key).put("rev", rev).set("patch", requireNonNull(patch, "patch is null").deepCopy());
            return this;
        }

        public Builder delete(String key) {
            op("DELETE", key);
            return this;
        }

        public Builder delete(String key, long rev) {
            op("DELETE", key).put("rev", rev);
            return this;
        }

        public Batch build() {
            if (ops.isEmpty()) {
                throw new IllegalStateException("a batch needs at least one operation");
            }
            return new Batch(ops.deepCopy());
        }

        private ObjectNode op(String action, String key) {
            return ops.addObject().put("action", action).put("key", requireNonNull(key, "key is null"));
        }
    }
}
