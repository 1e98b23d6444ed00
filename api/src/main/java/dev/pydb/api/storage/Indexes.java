package dev.pydb.api.storage;

import dev.pydb.api.query.FieldPath;
import java.util.List;

/**
 * The secondary indexes of a storage that offers them ({@link Storage#indexes()}).
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>An index is maintained atomically with the documents: a write, a batch and a
 *       compare-and-set change the documents and their index entries in one durable step, so after
 *       a crash at any moment they agree.</li>
 *   <li>Index keys order values as {@link dev.pydb.api.query.FilterValues} does. Only numbers,
 *       strings, booleans and {@code null} are indexed; a document that lacks the field, or holds an
 *       object or array in it, has no entry (queries on such values fall back to a scan of the
 *       documents, so results never depend on whether an index exists).</li>
 *   <li>A unique index refuses a write that would give a second document the same value with
 *       {@code UNIQUE_VIOLATION} (details {@code field} and {@code value}, and {@code index} for a
 *       batch operation), atomically under concurrent writers.</li>
 *   <li>Indexes belong to their database: dropping it drops them.</li>
 * </ul>
 */
public interface Indexes {
    /**
     * Creates an index and starts building it over the existing documents in the background; returns
     * at once with its state ({@code BUILDING}, or {@code READY} for an empty database). The build
     * survives a restart (it resumes). {@code DB_NOT_FOUND} if the database is absent; creating an
     * index that exists with the same spec returns its info; with another spec {@code CONFLICT}. A
     * unique index over duplicate values ends {@code FAILED} naming the first duplicate.
     */
    IndexInfo create(String db, IndexSpec spec);

    /** Drops the index on {@code field}; {@code NOT_FOUND} if there is none. */
    void drop(String db, FieldPath field);

    /** The indexes of a database, by field in {@link KeyOrder}; {@code DB_NOT_FOUND} if absent. */
    List<IndexInfo> list(String db);
}
