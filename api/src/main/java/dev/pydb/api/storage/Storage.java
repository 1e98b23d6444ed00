package dev.pydb.api.storage;

import dev.pydb.api.PydbException;
import dev.pydb.api.query.CountResult;
import dev.pydb.api.query.Filter;
import dev.pydb.api.query.FindResult;
import dev.pydb.api.query.Query;
import java.util.List;
import java.util.Optional;

/**
 * An open storage: databases of JSON documents with revisions. Opened by a
 * {@link StorageProvider}, used by many threads at once, closed once at shutdown.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Thread safety: every method may be called concurrently from any thread, including
 *       virtual threads.</li>
 *   <li>Atomicity: {@link #write} applies all of its operations or none. Each operation sees the
 *       effects of the earlier ones in the same call. Revision checks happen inside the same
 *       atomic section as the write, so compare-and-set loops lose no update.</li>
 *   <li>Durability: when {@link #write}, {@link #createDatabase} or {@link #dropDatabase}
 *       returns, the change survives a crash of the process (kill -9). Backends may group the
 *       writes of concurrent callers into one commit.</li>
 *   <li>Errors: {@link PydbException} with {@code DB_NOT_FOUND}, {@code DB_EXISTS},
 *       {@code NOT_FOUND}, {@code KEY_EXISTS}, {@code CONFLICT}, {@code UNIQUE_VIOLATION},
 *       {@code LIMIT_EXCEEDED} (e.g. the disk or the store is full: nothing of the write was made
 *       durable, and writes succeed again once there is room, without a restart),
 *       {@code CORRUPTED} (a stored record failed its checksum: never returned as data; the rest of
 *       the store keeps working) or {@code UNAVAILABLE} (I/O failure, closed). A failing batch
 *       operation's exception carries its position as the detail {@code index}.</li>
 *   <li>Order: keys are ordered by {@link KeyOrder}.</li>
 *   <li>Close: {@link #close} is idempotent; any other call after it throws
 *       {@link StorageClosedException}, never crashes the JVM.</li>
 * </ul>
 * Names and keys reaching a storage have been validated by the engine
 * ({@link dev.pydb.api.Names}).
 */
public interface Storage extends AutoCloseable {
    /** {@code expectedRev} meaning "no revision check". */
    long ANY_REVISION = -1;

    /** Creates an empty database; {@code DB_EXISTS} if it exists. */
    void createDatabase(String db);

    /** Drops a database and all its documents; {@code DB_NOT_FOUND} if absent. */
    void dropDatabase(String db);

    /** All database names in {@link KeyOrder}. */
    List<String> listDatabases();

    /** Whether the database exists. */
    default boolean databaseExists(String db) {
        return listDatabases().contains(db);
    }

    /** The document, or empty if absent; {@code DB_NOT_FOUND} if the database is absent. */
    Optional<Document> get(String db, String key);

    /**
     * Up to {@code limit} documents in key order whose keys are strictly after {@code afterKey}
     * ({@code null}: from the first key). A consistent snapshot is not required across calls.
     */
    List<Document> scan(String db, String afterKey, int limit);

    /** The number of documents in the database. */
    long count(String db);

    /** Applies the operations atomically and durably, in order; one result per operation. */
    List<WriteResult> write(String db, List<WriteOp> ops);

    /** Upsert with an optional compare-and-set ({@link #ANY_REVISION}, 0 = must not exist, or a rev). */
    default long put(String db, String key, byte[] body, long expectedRev) {
        return write(db, List.of(new WriteOp.Put(key, body, expectedRev))).get(0).rev();
    }

    /** Insert-if-absent; {@code KEY_EXISTS} if taken. Returns the new revision (1). */
    default long insert(String db, String key, byte[] body) {
        return write(db, List.of(new WriteOp.Insert(key, body))).get(0).rev();
    }

    /** Deletes with an optional expected revision; {@code NOT_FOUND} if absent. */
    default void delete(String db, String key, long expectedRev) {
        write(db, List.of(new WriteOp.Delete(key, expectedRev)));
    }

    // ---- Optional capabilities: a storage that lacks one keeps the default, and the engine
    // ---- falls back (scans) or answers UNSUPPORTED.

    /**
     * Answers a FIND itself (with an index, or by handing it to another engine). Empty: the engine
     * scans with {@link #scan} and evaluates {@link Filter#matches}. When present, the result must
     * be exactly what that scan returns (documents, order, {@code next}).
     */
    default Optional<FindResult> find(String db, Query query) {
        return Optional.empty();
    }

    /**
     * Counts the documents matching {@code filter} itself. Empty: the engine scans. {@code explain}
     * asks for a filled-in plan.
     */
    default Optional<CountResult> countMatching(String db, Filter filter, boolean explain) {
        return Optional.empty();
    }

    /** The storage's secondary indexes; empty if it has none (CREATE_INDEX answers {@code UNSUPPORTED}). */
    default Optional<Indexes> indexes() {
        return Optional.empty();
    }

    /** A consistent point-in-time view for backups; empty if the storage cannot take one. */
    default Optional<StorageSnapshot> snapshot() {
        return Optional.empty();
    }

    /** Loads documents with their revisions (restore); empty if the storage cannot. */
    default Optional<DocumentImporter> importer() {
        return Optional.empty();
    }

    /**
     * Whether reads (and {@link #sessions()}) may wait on the network, as for a storage on another
     * server: the engine then runs every request, authentication included, on worker threads, never
     * on an event loop. Default {@code false}: reads are local and quick.
     */
    default boolean readsMayBlock() {
        return false;
    }

    /**
     * LOGIN sessions and failed-login counters shared by every node on this storage; empty for a
     * storage only one server uses (the engine then keeps sessions in its memory).
     */
    default Optional<SessionStore> sessions() {
        return Optional.empty();
    }

    /** Flushes and releases everything; idempotent. */
    @Override
    void close();
}
