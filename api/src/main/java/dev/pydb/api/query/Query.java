package dev.pydb.api.query;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One FIND as the engine hands it to a storage that evaluates queries itself
 * ({@link dev.pydb.api.storage.Storage#find}): the documents matching {@code filter} whose keys are
 * strictly after {@code after} ({@code null}: from the first key), in key order
 * ({@link dev.pydb.api.storage.KeyOrder}), at most {@code limit} of them.
 *
 * <p>{@code projection} lists the fields the client asked for (empty: the whole document). It is a
 * hint: a storage may return whole documents, since the engine projects the result again.
 * {@code explain} asks for a filled-in {@link QueryPlan} with counts; a storage may always fill it.
 */
public record Query(Filter filter, String after, int limit, List<FieldPath> projection, boolean explain) {
    public Query {
        requireNonNull(filter, "filter is null");
        projection = List.copyOf(requireNonNull(projection, "projection is null"));
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
    }

    public static Query of(Filter filter, String after, int limit) {
        return new Query(filter, after, limit, List.of(), false);
    }
}
