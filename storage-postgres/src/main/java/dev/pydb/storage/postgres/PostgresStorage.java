package dev.pydb.storage.postgres;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariDataSource;
import dev.pydb.api.PydbException;
import dev.pydb.api.query.CountResult;
import dev.pydb.api.query.Filter;
import dev.pydb.api.query.FindResult;
import dev.pydb.api.query.Query;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.Indexes;
import dev.pydb.api.storage.SessionStore;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageClosedException;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.api.storage.WriteResult;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@code postgres} storage: every py_db node that opens the same {@code url} and {@code schema}
 * sees the same databases, documents, indexes and LOGIN sessions; PostgreSQL does the replication
 * and the failover. Thread-safe; every method is one or a few statements on a pooled connection.
 *
 * <h2>Writes</h2>
 * A {@link #write} batch is one transaction (READ COMMITTED): it locks its database row
 * ({@code FOR KEY SHARE}, so a concurrent drop waits or wins cleanly), then runs each operation as
 * one statement whose {@code WHERE}/{@code ON CONFLICT} does the revision check atomically:
 * <ul>
 *   <li>{@code Put} without a revision: {@code INSERT … ON CONFLICT (db_id, key) DO UPDATE SET rev = rev + 1};</li>
 *   <li>{@code Put} with rev 0 and {@code Insert}: {@code INSERT … ON CONFLICT DO NOTHING};</li>
 *   <li>{@code Put} with rev n: {@code UPDATE … WHERE rev = n};</li>
 *   <li>{@code Update}: {@code SELECT … FOR UPDATE}, the function in Java, then {@code UPDATE};</li>
 *   <li>{@code Delete}: {@code DELETE … [WHERE rev = n]}.</li>
 * </ul>
 * When a statement touches no row, one more {@code SELECT} tells {@code NOT_FOUND} from
 * {@code CONFLICT}, and the batch rolls back with the failing operation's {@code index}. Retries
 * follow {@link Transactions}.
 *
 * <h2>Bodies</h2>
 * Each document keeps its exact bytes ({@code raw}, returned by reads) and, for queries, the same
 * JSON as {@code jsonb} ({@code body}); JSONB normalizes numbers and key order, so it is never
 * what a read returns. A body JSONB cannot hold ({@link JsonbCompatibility}) has {@code body}
 * NULL and is checked in Java by every query.
 */
final class PostgresStorage implements Storage {
    static final String NAME = "postgres";

    private final HikariDataSource pool;
    private final Transactions transactions;
    private final PostgresQueries queries;
    private final PostgresIndexes indexes;
    private final PostgresSessionStore sessions;
    private final AtomicBoolean closed = new AtomicBoolean();

    PostgresStorage(HikariDataSource pool, Transactions transactions, String schema) {
        this.pool = requireNonNull(pool, "pool is null");
        this.transactions = requireNonNull(transactions, "transactions is null");
        this.queries = new PostgresQueries(transactions);
        this.indexes = new PostgresIndexes(pool, transactions, schema);
        this.sessions = new PostgresSessionStore(transactions);
    }

    @Override
    public void createDatabase(String db) {
        open();
        transactions.inTransaction(connection -> {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO databases (name) VALUES (?) ON CONFLICT (name) DO NOTHING")) {
                insert.setString(1, db);
                if (insert.executeUpdate() == 0) {
                    throw PydbException.dbExists(db);
                }
            }
            return null;
        });
    }

    @Override
    public void dropDatabase(String db) {
        open();
        transactions.inTransaction(connection -> {
            long id = lockDatabase(connection, db, true);
            indexes.dropAllOf(connection, id);
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM databases WHERE id = ?")) {
                delete.setLong(1, id);
                delete.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public List<String> listDatabases() {
        open();
        return transactions.read(connection -> {
            List<String> names = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("SELECT name FROM databases ORDER BY name");
                    ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    names.add(rows.getString(1));
                }
            }
            return List.copyOf(names);
        });
    }

    @Override
    public boolean databaseExists(String db) {
        open();
        return transactions.read(connection -> databaseId(connection, db) != null);
    }

    @Override
    public Optional<Document> get(String db, String key) {
        open();
        return transactions.read(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT d.rev, d.raw FROM databases b"
                    + " LEFT JOIN documents d ON d.db_id = b.id AND d.key = ? WHERE b.name = ?")) {
                select.setBytes(1, utf8(key));
                select.setString(2, db);
                try (ResultSet rows = select.executeQuery()) {
                    if (!rows.next()) {
                        throw PydbException.dbNotFound(db);
                    }
                    long rev = rows.getLong(1);
                    return rows.wasNull() ? Optional.<Document>empty() : Optional.of(new Document(key, rev, rows.getBytes(2)));
                }
            }
        });
    }

    @Override
    public List<Document> scan(String db, String afterKey, int limit) {
        open();
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
        return transactions.read(connection -> {
            long id = requireDatabase(connection, db);
            List<Document> documents = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("SELECT key, rev, raw FROM documents"
                    + " WHERE db_id = ? AND key > ? ORDER BY key LIMIT ?")) {
                select.setLong(1, id);
                select.setBytes(2, afterKey == null ? new byte[0] : utf8(afterKey));
                select.setInt(3, limit);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        documents.add(new Document(string(rows.getBytes(1)), rows.getLong(2), rows.getBytes(3)));
                    }
                }
            }
            return List.copyOf(documents);
        });
    }

    @Override
    public long count(String db) {
        open();
        return transactions.read(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT (SELECT count(*) FROM documents d"
                    + " WHERE d.db_id = b.id) FROM databases b WHERE b.name = ?")) {
                select.setString(1, db);
                try (ResultSet rows = select.executeQuery()) {
                    if (!rows.next()) {
                        throw PydbException.dbNotFound(db);
                    }
                    return rows.getLong(1);
                }
            }
        });
    }

    @Override
    public List<WriteResult> write(String db, List<WriteOp> ops) {
        open();
        requireNonNull(ops, "ops is null");
        List<WriteOp> batch = List.copyOf(ops);
        return transactions.inTransaction(connection -> {
            long id = lockDatabase(connection, db, false);
            DocumentWrites writes = new DocumentWrites(connection, db, id, indexes);
            List<WriteResult> results = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                try {
                    results.add(writes.apply(batch.get(i)));
                } catch (PydbException e) {
                    throw e.withDetail("index", i);
                }
            }
            return List.copyOf(results);
        });
    }

    @Override
    public Optional<FindResult> find(String db, Query query) {
        open();
        return Optional.of(queries.find(db, query));
    }

    @Override
    public Optional<CountResult> countMatching(String db, Filter filter, boolean explain) {
        open();
        return Optional.of(queries.count(db, filter, explain));
    }

    @Override
    public Optional<Indexes> indexes() {
        open();
        return Optional.of(indexes);
    }

    /** Every read is a round trip to PostgreSQL. */
    @Override
    public boolean readsMayBlock() {
        return true;
    }

    @Override
    public Optional<SessionStore> sessions() {
        open();
        return Optional.of(sessions);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            indexes.close();
            pool.close();
        }
    }

    /** Throws {@link StorageClosedException} after {@link #close}; the capabilities check it too. */
    void open() {
        if (closed.get()) {
            throw new StorageClosedException(NAME);
        }
    }

    /** Starts the index builds a stop interrupted. */
    void resumeIndexBuilds() {
        indexes.resumeBuilds();
    }

    static Long databaseId(Connection connection, String db) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT id FROM databases WHERE name = ?")) {
            select.setString(1, db);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? rows.getLong(1) : null;
            }
        }
    }

    static long requireDatabase(Connection connection, String db) throws SQLException {
        Long id = databaseId(connection, db);
        if (id == null) {
            throw PydbException.dbNotFound(db);
        }
        return id;
    }

    /** The database's id, its row locked for the transaction (for a drop: exclusively). */
    static long lockDatabase(Connection connection, String db, boolean exclusive) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT id FROM databases WHERE name = ? FOR "
                + (exclusive ? "UPDATE" : "KEY SHARE"))) {
            select.setString(1, db);
            try (ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    throw PydbException.dbNotFound(db);
                }
                return rows.getLong(1);
            }
        }
    }

    static byte[] utf8(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    static String string(byte[] key) {
        return new String(key, StandardCharsets.UTF_8);
    }

}
