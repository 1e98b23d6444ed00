package dev.pydb.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A stored document with its key and revision. {@link #doc()} returns a copy. */
public record Doc(String key, long rev, ObjectNode doc) {
    public Doc {
        requireNonNull(key, "key is null");
        doc = requireNonNull(doc, "doc is null").deepCopy();
    }

    @Override
    public ObjectNode doc() {
        return doc.deepCopy();
    }
}
