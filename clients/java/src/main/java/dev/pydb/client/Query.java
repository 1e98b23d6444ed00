package dev.pydb.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What FIND and COUNT select: an optional filter, page size and cursor. Immutable; start from
 * {@link #all()} and narrow it, e.g. {@code Query.all().where(filter).limit(50)}.
 */
public record Query(Optional<ObjectNode> filter, OptionalInt limit, Optional<String> after) {
    public Query {
        requireNonNull(filter, "filter is null");
        requireNonNull(limit, "limit is null");
        requireNonNull(after, "after is null");
        filter = filter.map(ObjectNode::deepCopy);
    }

    /** Every document, the server's default page size, from the first key. */
    public static Query all() {
        return new Query(Optional.empty(), OptionalInt.empty(), Optional.empty());
    }

    /** This query with a filter (see the protocol's filter syntax). */
    public Query where(ObjectNode filter) {
        return new Query(Optional.of(requireNonNull(filter, "filter is null")), limit, after);
    }

    /** This query with a page size. */
    public Query limit(int limit) {
        return new Query(filter, OptionalInt.of(limit), after);
    }

    /** This query starting after a key (a page's {@link Page#next()}). */
    public Query after(String after) {
        return new Query(filter, limit, Optional.of(requireNonNull(after, "after is null")));
    }
}
