package dev.pydb.api.query;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.storage.Document;
import java.util.List;

/**
 * The page a storage returns for a {@link Query}: the matching documents in key order, and
 * {@code next}, the last returned key when more matching documents may follow (the client passes it
 * as {@code after}), else {@code null}. Exactly what a full scan evaluating
 * {@link Filter#matches} would return for the same query, in the same order.
 */
public record FindResult(List<Document> documents, String next, QueryPlan plan) {
    public FindResult {
        documents = List.copyOf(requireNonNull(documents, "documents is null"));
        requireNonNull(plan, "plan is null");
    }
}
