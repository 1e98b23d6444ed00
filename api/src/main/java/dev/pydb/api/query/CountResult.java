package dev.pydb.api.query;

import static java.util.Objects.requireNonNull;

/** The number of documents matching a filter, and how it was found. */
public record CountResult(long count, QueryPlan plan) {
    public CountResult {
        requireNonNull(plan, "plan is null");
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, was " + count);
        }
    }
}
