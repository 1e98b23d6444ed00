package dev.pydb.storage.postgres;

import static dev.pydb.storage.postgres.PostgresStorage.lockDatabase;
import static dev.pydb.storage.postgres.PostgresStorage.requireDatabase;
import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.query.FieldPath;
import dev.pydb.api.storage.IndexInfo;
import dev.pydb.api.storage.IndexSpec;
import dev.pydb.api.storage.Indexes;
import dev.pydb.api.storage.KeyOrder;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.postgresql.util.PSQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Secondary indexes as PostgreSQL expression indexes, partial to one database ({@code WHERE db_id = N}),
 * built with {@code CREATE INDEX CONCURRENTLY} so writes go on meanwhile; state from
 * {@code pg_index.indisvalid}. For a field {@code a.b} with {@code v = (body -> 'a' -> 'b')}:
 * <ul>
 *   <li>{@code _n}: btree {@code (v)} where {@code jsonb_typeof(v)} is number, boolean or null:
 *       ranges and equality on numbers ({@code jsonb_typeof(v) = 'number' AND v > '5'});</li>
 *   <li>{@code _s}: btree {@code (left(body -> 'a' ->> 'b', 200) COLLATE "C")} where it is a string:
 *       string ranges by code point (the first 200 characters narrow, the full comparison decides);</li>
 *   <li>a unique index adds {@code _u}: unique {@code (md5(body -> 'a' ->> 'b'))} for strings, and
 *       makes {@code _n} unique (JSONB equality: {@code 1} and {@code 1.0} are one value).</li>
 * </ul>
 * Equality on any field needs no admin index: the GIN index {@code documents_body_gin}
 * ({@code jsonb_path_ops}) serves {@code @>} for every field. TTL indexes are swept every
 * {@link #TTL_INTERVAL} by a bounded {@code DELETE … LIMIT 1000 … SKIP LOCKED} per index and round,
 * on every node (harmless: the rows each node deletes are disjoint). The metadata is the table
 * {@code indexes}; a build that a node restart interrupted is started again by the next start.
 */
final class PostgresIndexes implements Indexes, AutoCloseable {
    static final Duration TTL_INTERVAL = Duration.ofSeconds(5);
    static final int STRING_PREFIX = 200;
    private static final int TTL_BATCH = 1000;
    private static final Duration WAIT_FOR_SMALL_BUILD = Duration.ofSeconds(2);
    private static final Logger LOG = LoggerFactory.getLogger(PostgresIndexes.class);

    private final DataSource pool;
    private final Transactions transactions;
    private final String schema;
    private final Clock clock = Clock.systemUTC();
    private final ExecutorService builds = Executors.newCachedThreadPool(daemon("pydb-postgres-index-build"));
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(daemon("pydb-postgres-ttl"));
    private final Map<String, AtomicLong> expiredDeleted = new ConcurrentHashMap<>();

    PostgresIndexes(DataSource pool, Transactions transactions, String schema) {
        this.pool = requireNonNull(pool, "pool is null");
        this.transactions = requireNonNull(transactions, "transactions is null");
        this.schema = requireNonNull(schema, "schema is null");
        long period = TTL_INTERVAL.toMillis();
        sweeper.scheduleWithFixedDelay(this::sweepExpired, period, period, TimeUnit.MILLISECONDS);
    }

    /** Starts the builds that a stop interrupted (index missing or invalid, no error recorded). */
    void resumeBuilds() {
        List<Definition> pending = transactions.read(connection -> {
            List<Definition> result = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("SELECT db_id, field, is_unique, ttl_seconds"
                    + " FROM indexes WHERE error IS NULL")) {
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        Definition definition = new Definition(rows.getLong(1), spec(rows));
                        if (!valid(connection, definition.names())) {
                            result.add(definition);
                        }
                    }
                }
            }
            return result;
        });
        for (Definition definition : pending) {
            LOG.info("resuming the build of index {} of database id {}", definition.spec().field(), definition.dbId());
            builds.submit(() -> build(definition, true));
        }
    }

    @Override
    public IndexInfo create(String db, IndexSpec spec) {
        requireNonNull(spec, "spec is null");
        for (String segment : spec.field().segments()) {
            if (!JsonbCompatibility.textFits(segment)) {
                throw PydbException.badRequest("field '" + spec.field() + "' cannot be indexed on postgres: JSONB keys"
                        + " cannot hold U+0000 or lone surrogates");
            }
        }
        Definition definition = transactions.inTransaction(connection -> {
            long id = lockDatabase(connection, db, false);
            Optional<IndexSpec> existing = find(connection, id, spec.field());
            if (existing.isPresent()) {
                if (!existing.get().equals(spec)) {
                    throw new PydbException(ErrorCode.CONFLICT, "database '" + db + "' already has an index on '"
                            + spec.field() + "' with another spec (" + describe(existing.get()) + ")");
                }
                return null;
            }
            Definition created = new Definition(id, spec);
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO indexes (db_id, field, is_unique,"
                    + " ttl_seconds, index_names) VALUES (?, ?, ?, ?, ?)")) {
                insert.setLong(1, id);
                insert.setArray(2, connection.createArrayOf("text", spec.field().segments().toArray()));
                insert.setBoolean(3, spec.unique());
                insert.setLong(4, spec.ttlSeconds());
                insert.setArray(5, connection.createArrayOf("text", created.names().toArray()));
                insert.executeUpdate();
            }
            return created;
        });
        if (definition != null) {
            Future<?> build = builds.submit(() -> build(definition, false));
            try {
                build.get(WAIT_FOR_SMALL_BUILD.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // a big database: the build goes on in the background, LIST_INDEXES shows it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException e) {
                LOG.warn("building index {} failed: {}", spec.field(), e.getCause().toString());
            }
        }
        return list(db).stream().filter(info -> info.spec().field().equals(spec.field())).findFirst()
                .orElseThrow(() -> PydbException.notFound(db, "index " + spec.field()));
    }

    @Override
    public void drop(String db, FieldPath field) {
        requireNonNull(field, "field is null");
        List<String> names = transactions.inTransaction(connection -> {
            long id = lockDatabase(connection, db, false);
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM indexes WHERE db_id = ? AND field = ? RETURNING index_names")) {
                delete.setLong(1, id);
                delete.setArray(2, connection.createArrayOf("text", field.segments().toArray()));
                try (ResultSet rows = delete.executeQuery()) {
                    if (!rows.next()) {
                        throw new PydbException(ErrorCode.NOT_FOUND, "database '" + db + "' has no index on '" + field + "'");
                    }
                    return List.of((String[]) rows.getArray(1).getArray());
                }
            }
        });
        dropConcurrently(names);
    }

    @Override
    public List<IndexInfo> list(String db) {
        return transactions.read(connection -> {
            long id = requireDatabase(connection, db);
            List<IndexInfo> result = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("SELECT db_id, field, is_unique, ttl_seconds,"
                    + " error FROM indexes WHERE db_id = ?")) {
                select.setLong(1, id);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        IndexSpec spec = spec(rows);
                        String error = rows.getString(5);
                        Definition definition = new Definition(id, spec);
                        IndexInfo.State state = error != null ? IndexInfo.State.FAILED
                                : valid(connection, definition.names()) ? IndexInfo.State.READY : IndexInfo.State.BUILDING;
                        long entries = entries(connection, id, spec.field());
                        long deleted = expiredDeleted.getOrDefault(key(id, spec.field()), new AtomicLong()).get();
                        result.add(new IndexInfo(spec, state, entries, state == IndexInfo.State.BUILDING ? 0 : entries,
                                entries, deleted, error));
                    }
                }
            }
            result.sort(Comparator.comparing(info -> info.spec().field().dotted(), KeyOrder.COMPARATOR));
            return List.copyOf(result);
        });
    }

    /** Drops the indexes of a database being dropped, inside its transaction. */
    void dropAllOf(Connection connection, long dbId) throws SQLException {
        List<String> names = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT index_names FROM indexes WHERE db_id = ?")) {
            select.setLong(1, dbId);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    names.addAll(List.of((String[]) rows.getArray(1).getArray()));
                }
            }
        }
        try (Statement statement = connection.createStatement()) {
            for (String name : names) {
                statement.execute("DROP INDEX IF EXISTS " + name);
            }
        }
    }

    /**
     * A unique violation of one of our indexes as {@code UNIQUE_VIOLATION} (details {@code field},
     * {@code value}); empty for any other failure.
     */
    Optional<PydbException> uniqueViolation(SQLException e, long dbId) {
        if (!"23505".equals(e.getSQLState()) || !(e instanceof PSQLException psql) || psql.getServerErrorMessage() == null) {
            return Optional.empty();
        }
        String constraint = psql.getServerErrorMessage().getConstraint();
        if (constraint == null || !constraint.startsWith("pydb_ix_")) {
            return Optional.empty();
        }
        String detail = psql.getServerErrorMessage().getDetail();
        String value = detail == null ? "?" : detail.replaceFirst("(?s)^Key \\(.*\\)=\\((.*)\\) already exists\\.$", "$1");
        String field = transactions.read(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT array_to_string(field, '.') FROM indexes WHERE db_id = ? AND ? = ANY (index_names)")) {
                select.setLong(1, dbId);
                select.setString(2, constraint);
                try (ResultSet rows = select.executeQuery()) {
                    return rows.next() ? rows.getString(1) : constraint;
                }
            }
        });
        return Optional.of(new PydbException(ErrorCode.UNIQUE_VIOLATION, "a unique index on '" + field
                + "' already holds the value " + value, e).withDetail("field", field).withDetail("value", value));
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        builds.shutdownNow();
    }

    private void build(Definition definition, boolean resume) {
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
            connection.setAutoCommit(true);
            statement.execute("SET search_path TO " + schema);
            for (String sql : definition.createStatements(resume)) {
                statement.execute(sql);
            }
        } catch (SQLException e) {
            String error = SqlFailures.describe(e);
            if (SqlFailures.isConnectionFailure(e)) {
                LOG.warn("building an index was interrupted ({}); the next start resumes it", error);
                return;
            }
            LOG.warn("building the index on '{}' failed: {}", definition.spec().field(), error);
            recordError(definition, "23505".equals(e.getSQLState()) ? "duplicate values: " + error : error);
        }
    }

    private void recordError(Definition definition, String error) {
        transactions.inTransaction(connection -> {
            try (PreparedStatement update = connection.prepareStatement("UPDATE indexes SET error = ? WHERE db_id = ?"
                    + " AND field = ?")) {
                update.setString(1, error);
                update.setLong(2, definition.dbId());
                update.setArray(3, connection.createArrayOf("text", definition.spec().field().segments().toArray()));
                update.executeUpdate();
            }
            return null;
        });
    }

    private void dropConcurrently(List<String> names) {
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
            connection.setAutoCommit(true);
            for (String name : names) {
                statement.execute("DROP INDEX CONCURRENTLY IF EXISTS " + schema + "." + name);
            }
        } catch (SQLException e) {
            throw SqlFailures.toPydb(e);
        }
    }

    private void sweepExpired() {
        try {
            List<Definition> ttl = transactions.read(connection -> {
                List<Definition> result = new ArrayList<>();
                try (PreparedStatement select = connection.prepareStatement("SELECT db_id, field, is_unique, ttl_seconds"
                        + " FROM indexes WHERE ttl_seconds > 0 AND error IS NULL");
                        ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        result.add(new Definition(rows.getLong(1), spec(rows)));
                    }
                }
                return result;
            });
            for (Definition definition : ttl) {
                long cutoff = clock.instant().getEpochSecond() - definition.spec().ttlSeconds();
                String field = SqlFilter.field(definition.spec().field());
                int deleted = transactions.inTransaction(connection -> {
                    try (PreparedStatement delete = connection.prepareStatement("DELETE FROM documents WHERE (db_id, key) IN"
                            + " (SELECT db_id, key FROM documents WHERE db_id = ? AND jsonb_typeof(" + field + ") = 'number'"
                            + " AND " + field + " < ?::jsonb LIMIT " + TTL_BATCH + " FOR UPDATE SKIP LOCKED)")) {
                        delete.setLong(1, definition.dbId());
                        delete.setString(2, Long.toString(cutoff));
                        return delete.executeUpdate();
                    }
                });
                if (deleted > 0) {
                    expiredDeleted.computeIfAbsent(key(definition.dbId(), definition.spec().field()), k -> new AtomicLong())
                            .addAndGet(deleted);
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("TTL sweep failed, trying again in {} s: {}", TTL_INTERVAL.toSeconds(), e.toString());
        }
    }

    private static Optional<IndexSpec> find(Connection connection, long id, FieldPath field) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT db_id, field, is_unique, ttl_seconds"
                + " FROM indexes WHERE db_id = ? AND field = ?")) {
            select.setLong(1, id);
            select.setArray(2, connection.createArrayOf("text", field.segments().toArray()));
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(spec(rows)) : Optional.empty();
            }
        }
    }

    private static IndexSpec spec(ResultSet rows) throws SQLException {
        Array field = rows.getArray(2);
        return new IndexSpec(new FieldPath(List.of((String[]) field.getArray())), rows.getBoolean(3), rows.getLong(4));
    }

    private boolean valid(Connection connection, List<String> names) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT count(*) FROM pg_index i JOIN pg_class c"
                + " ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? AND c.relname = ANY (?) AND i.indisvalid")) {
            select.setString(1, schema);
            select.setArray(2, connection.createArrayOf("text", names.toArray()));
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getInt(1) == names.size();
            }
        }
    }

    private static long entries(Connection connection, long id, FieldPath field) throws SQLException {
        String value = SqlFilter.field(field);
        try (PreparedStatement select = connection.prepareStatement("SELECT count(*) FROM documents WHERE db_id = ? AND"
                + " jsonb_typeof(" + value + ") IN ('number', 'string', 'boolean', 'null')")) {
            select.setLong(1, id);
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private static String describe(IndexSpec spec) {
        return (spec.unique() ? "unique" : "not unique") + ", ttl_seconds " + spec.ttlSeconds();
    }

    private static String key(long dbId, FieldPath field) {
        return dbId + ":" + field.dotted();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** One index's PostgreSQL indexes: names and statements. */
    record Definition(long dbId, IndexSpec spec) {
        List<String> names() {
            String base = "pydb_ix_" + dbId + "_" + HexFormat.of().toHexDigits(spec.field().dotted().hashCode());
            return spec.unique() ? List.of(base + "_n", base + "_s", base + "_u") : List.of(base + "_n", base + "_s");
        }

        /** The CREATE statements; when resuming, each name is dropped first (an interrupted build leaves it invalid). */
        List<String> createStatements(boolean resume) {
            String value = SqlFilter.field(spec.field());
            String text = SqlFilter.text(spec.field());
            String where = " WHERE db_id = " + dbId;
            List<String> names = names();
            List<String> statements = new ArrayList<>();
            if (resume) {
                names.forEach(name -> statements.add("DROP INDEX CONCURRENTLY IF EXISTS " + name));
            }
            statements.add("CREATE " + (spec.unique() ? "UNIQUE " : "") + "INDEX CONCURRENTLY IF NOT EXISTS " + names.get(0)
                    + " ON documents (" + value + ")" + where + " AND jsonb_typeof(" + value
                    + ") IN ('number', 'boolean', 'null')");
            statements.add("CREATE INDEX CONCURRENTLY IF NOT EXISTS " + names.get(1) + " ON documents ((left(" + text + ", "
                    + STRING_PREFIX + ") COLLATE \"C\"))" + where + " AND jsonb_typeof(" + value + ") = 'string'");
            if (spec.unique()) {
                statements.add("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS " + names.get(2) + " ON documents ((md5("
                        + text + ")))" + where + " AND jsonb_typeof(" + value + ") = 'string'");
            }
            return statements;
        }
    }
}
