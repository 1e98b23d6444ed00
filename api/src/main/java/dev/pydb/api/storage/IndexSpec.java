package dev.pydb.api.storage;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.query.FieldPath;

/**
 * A secondary index on one field of a database's documents.
 *
 * @param field the indexed field (a dotted path, as filters use)
 * @param unique at most one document may hold each value ({@code UNIQUE_VIOLATION} otherwise)
 * @param ttlSeconds {@code 0}: no expiry; otherwise documents whose field holds epoch seconds
 *     older than {@code now - ttlSeconds} are deleted in the background
 */
public record IndexSpec(FieldPath field, boolean unique, long ttlSeconds) {
    public IndexSpec {
        requireNonNull(field, "field is null");
        if (ttlSeconds < 0) {
            throw new IllegalArgumentException("ttlSeconds must be >= 0, was " + ttlSeconds);
        }
    }

    public static IndexSpec on(FieldPath field) {
        return new IndexSpec(field, false, 0);
    }
}
