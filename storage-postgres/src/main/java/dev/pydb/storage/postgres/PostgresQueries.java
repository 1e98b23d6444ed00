package dev.pydb.storage.postgres;

import static dev.pydb.storage.postgres.PostgresStorage.requireDatabase;
import static dev.pydb.storage.postgres.PostgresStorage.string;
import static dev.pydb.storage.postgres.PostgresStorage.utf8;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.PydbException;
import dev.pydb.api.query.CountResult;
import dev.pydb.api.query.Filter;
import dev.pydb.api.query.FindResult;
import dev.pydb.api.query.Query;
import dev.pydb.api.query.QueryPlan;
import dev.pydb.api.storage.Document;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;

/**
 * FIND and COUNT answered by PostgreSQL ({@link dev.pydb.api.storage.Storage#find},
 * {@link dev.pydb.api.storage.Storage#countMatching}): the filter becomes a {@link SqlFilter}, so
 * only candidate rows cross the network, in key order ({@code ORDER BY key}, byte order).
 *
 * <p>A row is returned as it is when the condition was exact and the row has a JSONB body;
 * otherwise it is checked with {@link Filter#matches} first. Pages have the engine's scan semantics
 * exactly: at most {@code limit} matches after {@code after}, and {@code next} = the last returned
 * key when {@code limit} matches were found and any document (matching or not) follows it.
 */
final class PostgresQueries {
    /** Candidate rows read per statement when rows must be checked in Java. */
    static final int CHUNK = 512;
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    private final Transactions transactions;

    PostgresQueries(Transactions transactions) {
        this.transactions = requireNonNull(transactions, "transactions is null");
    }

    FindResult find(String db, Query query) {
        requireNonNull(query, "query is null");
        SqlFilter condition = SqlFilter.compile(query.filter());
        return transactions.read(connection -> {
            long id = requireDatabase(connection, db);
            String sql = "SELECT key, rev, raw, body IS NULL FROM documents WHERE db_id = ? AND key > ? AND (("
                    + condition.sql() + ") OR body IS NULL) ORDER BY key LIMIT ?";
            List<Document> matches = new ArrayList<>();
            long examined = 0;
            byte[] cursor = query.after() == null ? new byte[0] : utf8(query.after());
            boolean exhausted = false;
            while (matches.size() < query.limit() && !exhausted) {
                int want = condition.exact() ? query.limit() - matches.size() : CHUNK;
                int read = 0;
                try (PreparedStatement select = connection.prepareStatement(sql)) {
                    select.setLong(1, id);
                    select.setBytes(2, cursor);
                    select.setInt(3, want);
                    try (ResultSet rows = select.executeQuery()) {
                        while (rows.next()) {
                            read++;
                            examined++;
                            byte[] key = rows.getBytes(1);
                            cursor = key;
                            Document document = new Document(string(key), rows.getLong(2), rows.getBytes(3));
                            boolean unchecked = rows.getBoolean(4);
                            if ((condition.exact() && !unchecked || matches(db, query.filter(), document))
                                    && matches.size() < query.limit()) {
                                matches.add(document);
                            }
                        }
                    }
                }
                exhausted = read < want;
            }
            String next = null;
            if (matches.size() == query.limit() && anyAfter(connection, id, utf8(matches.get(matches.size() - 1).key()))) {
                next = matches.get(matches.size() - 1).key();
            }
            QueryPlan plan = plan(connection, sql, condition, examined, query.explain(), id, query.after(), query.limit());
            return new FindResult(matches, next, plan);
        });
    }

    CountResult count(String db, Filter filter, boolean explain) {
        requireNonNull(filter, "filter is null");
        SqlFilter condition = SqlFilter.compile(filter);
        return transactions.read(connection -> {
            long id = requireDatabase(connection, db);
            if (condition.exact()) {
                String sql = "SELECT count(*) FILTER (WHERE body IS NOT NULL), count(*) FILTER (WHERE body IS NULL)"
                        + " FROM documents WHERE db_id = ? AND ((" + condition.sql() + ") OR body IS NULL)";
                long exact;
                long unchecked;
                try (PreparedStatement select = connection.prepareStatement(sql)) {
                    select.setLong(1, id);
                    try (ResultSet rows = select.executeQuery()) {
                        rows.next();
                        exact = rows.getLong(1);
                        unchecked = rows.getLong(2);
                    }
                }
                long count = exact + (unchecked == 0 ? 0 : countChecked(connection, db, id, filter, "body IS NULL"));
                return new CountResult(count, plan(connection, sql, condition, unchecked, explain, id, null, 0));
            }
            String where = "(" + condition.sql() + ") OR body IS NULL";
            long count = countChecked(connection, db, id, filter, where);
            return new CountResult(count, plan(connection, "SELECT key, raw FROM documents WHERE db_id = ? AND (" + where
                    + ")", condition, count, explain, id, null, 0));
        });
    }

    /** Counts the rows under {@code where} that {@code filter} matches, read in key order by chunks. */
    private static long countChecked(Connection connection, String db, long id, Filter filter, String where) throws SQLException {
        long count = 0;
        byte[] cursor = new byte[0];
        String sql = "SELECT key, rev, raw FROM documents WHERE db_id = ? AND key > ? AND (" + where
                + ") ORDER BY key LIMIT " + CHUNK;
        while (true) {
            int read = 0;
            try (PreparedStatement select = connection.prepareStatement(sql)) {
                select.setLong(1, id);
                select.setBytes(2, cursor);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        read++;
                        cursor = rows.getBytes(1);
                        if (matches(db, filter, new Document(string(cursor), rows.getLong(2), rows.getBytes(3)))) {
                            count++;
                        }
                    }
                }
            }
            if (read < CHUNK) {
                return count;
            }
        }
    }

    private static boolean anyAfter(Connection connection, long id, byte[] key) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT EXISTS (SELECT 1 FROM documents WHERE db_id = ? AND key > ?)")) {
            select.setLong(1, id);
            select.setBytes(2, key);
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getBoolean(1);
            }
        }
    }

    private static boolean matches(String db, Filter filter, Document document) {
        try {
            return filter.matches(JSON.readTree(document.body()));
        } catch (IOException e) {
            throw PydbException.corrupted(db, document.key(), "the raw column of the PostgreSQL table documents");
        }
    }

    /**
     * The plan: kind PUSHDOWN, {@code documentsExamined} = rows that crossed the network, details
     * {@code sql}, {@code exact} and, when asked, PostgreSQL's {@code EXPLAIN (ANALYZE, BUFFERS)} lines.
     */
    private static QueryPlan plan(Connection connection, String sql, SqlFilter condition, long examined, boolean explain,
            long id, String after, int limit) throws SQLException {
        ObjectNode details = JsonNodeFactory.instance.objectNode();
        details.put("sql", sql);
        details.put("exact", condition.exact());
        if (explain) {
            String bound = sql.replaceFirst("db_id = \\?", "db_id = " + id)
                    .replaceFirst("key > \\?", Matcher.quoteReplacement("key > "
                            + SqlFilter.literal(hex(after == null ? new byte[0] : utf8(after))) + "::bytea"))
                    .replaceFirst("LIMIT \\?", "LIMIT " + Math.max(1, limit));
            ArrayNode lines = details.putArray("postgres_plan");
            try (Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery("EXPLAIN (ANALYZE, BUFFERS) " + bound)) {
                while (rows.next()) {
                    lines.add(rows.getString(1));
                }
            }
        }
        return new QueryPlan(QueryPlan.Kind.PUSHDOWN, List.of(), 0, examined, details);
    }

    private static String hex(byte[] bytes) {
        StringBuilder text = new StringBuilder("\\x");
        for (byte b : bytes) {
            text.append(String.format("%02x", b & 0xff));
        }
        return text.toString();
    }
}
