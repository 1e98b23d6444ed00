package dev.pydb.client;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * One page of FIND: documents in key order and the cursor for the next page, empty when no more
 * documents follow (a present cursor may still lead to an empty page).
 */
public record Page(List<Doc> docs, Optional<String> next) {
    public Page {
        docs = List.copyOf(requireNonNull(docs, "docs is null"));
        requireNonNull(next, "next is null");
    }
}
