package dev.pydb.api.storage;

import static java.util.Objects.requireNonNull;

/**
 * The state of one index, as {@code LIST_INDEXES} reports it.
 *
 * @param entries the index entries (documents that hold an indexable value in the field)
 * @param documentsIndexed while {@link State#BUILDING}: documents processed so far
 * @param documentsTotal while {@link State#BUILDING}: documents to process (an estimate)
 * @param expiredDeleted documents this TTL index has deleted since the server started
 * @param error why the build failed ({@link State#FAILED}), else {@code null}
 */
public record IndexInfo(IndexSpec spec, State state, long entries, long documentsIndexed, long documentsTotal,
        long expiredDeleted, String error) {
    /** The life of an index. Queries use only {@link #READY} indexes. */
    public enum State {
        /** Being built over existing documents in the background; writes already maintain it. */
        BUILDING,
        /** Complete and maintained with every write. */
        READY,
        /** The build stopped (e.g. a unique index over duplicate values); see {@code error}. */
        FAILED
    }

    public IndexInfo {
        requireNonNull(spec, "spec is null");
        requireNonNull(state, "state is null");
    }
}
