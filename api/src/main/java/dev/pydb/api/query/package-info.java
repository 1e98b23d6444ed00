/**
 * Queries as the engine hands them to a storage: the parsed {@link dev.pydb.api.query.Filter} with
 * its reference evaluation, a {@link dev.pydb.api.query.Query} (filter, {@code after},
 * {@code limit}, projection), and the {@link dev.pydb.api.query.FindResult} /
 * {@link dev.pydb.api.query.CountResult} with the {@link dev.pydb.api.query.QueryPlan} that says how
 * they were found.
 *
 * <p>This is the one query capability of the storage SPI: secondary indexes on the local backends
 * and pushdown to another engine (PostgreSQL) both answer through
 * {@link dev.pydb.api.storage.Storage#find} and {@link dev.pydb.api.storage.Storage#countMatching}.
 * A storage that does not implement them lets the engine scan and evaluate
 * {@link dev.pydb.api.query.Filter#matches}; one that does must return exactly what that scan would.
 */
package dev.pydb.api.query;
