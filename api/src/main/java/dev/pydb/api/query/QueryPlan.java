package dev.pydb.api.query;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * How a FIND or COUNT was answered, for {@code explain: true} (as MongoDB's explain): the kind of
 * plan, the indexes it used, how many index entries and documents it examined. Time is measured by
 * the engine. {@code details} carries backend-specific facts (e.g. the SQL and the engine's own
 * plan), or {@code null}.
 */
public record QueryPlan(Kind kind, List<String> indexes, long entriesExamined, long documentsExamined, ObjectNode details) {
    /** The shape of a plan. */
    public enum Kind {
        /** Every document of the database was read and checked. */
        FULL_SCAN,
        /** The entries of one index were read; matching documents fetched and checked. */
        INDEX_SCAN,
        /** The entries of several indexes were read and their keys united (an {@code $or}). */
        INDEX_UNION,
        /** The count or the result came from the storage's own bookkeeping (e.g. COUNT with no filter). */
        METADATA,
        /** The query was handed to another database engine (e.g. SQL on PostgreSQL). */
        PUSHDOWN
    }

    public QueryPlan {
        requireNonNull(kind, "kind is null");
        indexes = List.copyOf(requireNonNull(indexes, "indexes is null"));
    }

    public static QueryPlan fullScan(long documentsExamined) {
        return new QueryPlan(Kind.FULL_SCAN, List.of(), 0, documentsExamined, null);
    }
}
