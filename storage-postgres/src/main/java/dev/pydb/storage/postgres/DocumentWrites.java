package dev.pydb.storage.postgres;

import static dev.pydb.storage.postgres.PostgresStorage.utf8;
import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.api.storage.WriteResult;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;

/**
 * The operations of one batch inside its transaction: one statement each, the revision check in
 * its {@code WHERE} or {@code ON CONFLICT} clause, so two nodes racing on one key serialize in
 * PostgreSQL's row locks and exactly one wins.
 */
final class DocumentWrites {
    private static final String VALUES = "(?, ?, 1, ?, ?::jsonb)";

    private final Connection connection;
    private final String db;
    private final long dbId;
    private final PostgresIndexes indexes;

    DocumentWrites(Connection connection, String db, long dbId, PostgresIndexes indexes) {
        this.connection = requireNonNull(connection, "connection is null");
        this.db = requireNonNull(db, "db is null");
        this.dbId = dbId;
        this.indexes = requireNonNull(indexes, "indexes is null");
    }

    WriteResult apply(WriteOp op) throws SQLException {
        try {
            return switch (op) {
                case WriteOp.Put put -> put(put);
                case WriteOp.Insert insert -> insert(insert.key(), insert.body(), true);
                case WriteOp.Update update -> update(update);
                case WriteOp.Delete delete -> delete(delete);
            };
        } catch (SQLException e) {
            throw indexes.uniqueViolation(e, dbId).orElseThrow(() -> e);
        }
    }

    private WriteResult put(WriteOp.Put put) throws SQLException {
        if (put.expectedRev() == 0) {
            return insert(put.key(), put.body(), false);
        }
        if (put.expectedRev() == Storage.ANY_REVISION) {
            try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO documents (db_id, key, rev, raw, body)"
                    + " VALUES " + VALUES + " ON CONFLICT (db_id, key) DO UPDATE SET rev = documents.rev + 1,"
                    + " raw = excluded.raw, body = excluded.body RETURNING rev")) {
                bindRow(upsert, put.key(), put.body());
                return WriteResult.written(put.key(), single(upsert));
            }
        }
        return replace(put.key(), put.body(), put.expectedRev());
    }

    private WriteResult insert(String key, byte[] body, boolean keyExistsError) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO documents (db_id, key, rev, raw, body)"
                + " VALUES " + VALUES + " ON CONFLICT (db_id, key) DO NOTHING")) {
            bindRow(insert, key, body);
            if (insert.executeUpdate() == 1) {
                return WriteResult.written(key, 1);
            }
        }
        if (keyExistsError) {
            throw PydbException.keyExists(db, key);
        }
        throw PydbException.conflict(db, key, 0, currentRev(key));
    }

    private WriteResult replace(String key, byte[] body, long expectedRev) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE documents SET rev = rev + 1, raw = ?,"
                + " body = ?::jsonb WHERE db_id = ? AND key = ? AND rev = ? RETURNING rev")) {
            bindBody(update, 1, body);
            update.setLong(3, dbId);
            update.setBytes(4, utf8(key));
            update.setLong(5, expectedRev);
            try (ResultSet rows = update.executeQuery()) {
                if (rows.next()) {
                    return WriteResult.written(key, rows.getLong(1));
                }
            }
        }
        throw PydbException.conflict(db, key, expectedRev, currentRev(key));
    }

    private WriteResult update(WriteOp.Update update) throws SQLException {
        long rev;
        byte[] current;
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT rev, raw FROM documents WHERE db_id = ? AND key = ? FOR UPDATE")) {
            select.setLong(1, dbId);
            select.setBytes(2, utf8(update.key()));
            try (ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    throw PydbException.notFound(db, update.key());
                }
                rev = rows.getLong(1);
                current = rows.getBytes(2);
            }
        }
        if (update.expectedRev() != Storage.ANY_REVISION && update.expectedRev() != rev) {
            throw PydbException.conflict(db, update.key(), update.expectedRev(), rev);
        }
        byte[] changed = requireNonNull(update.change().apply(current), "the update function returned null");
        return replace(update.key(), changed, rev);
    }

    private WriteResult delete(WriteOp.Delete delete) throws SQLException {
        boolean checked = delete.expectedRev() != Storage.ANY_REVISION;
        try (PreparedStatement statement = connection.prepareStatement("DELETE FROM documents WHERE db_id = ? AND key = ?"
                + (checked ? " AND rev = ?" : ""))) {
            statement.setLong(1, dbId);
            statement.setBytes(2, utf8(delete.key()));
            if (checked) {
                statement.setLong(3, delete.expectedRev());
            }
            if (statement.executeUpdate() == 1) {
                return WriteResult.deleted(delete.key());
            }
        }
        long rev = currentRev(delete.key());
        if (rev == 0) {
            throw PydbException.notFound(db, delete.key());
        }
        throw PydbException.conflict(db, delete.key(), delete.expectedRev(), rev);
    }

    /** The stored revision, 0 if absent (as this transaction sees it). */
    private long currentRev(String key) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT rev FROM documents WHERE db_id = ? AND key = ?")) {
            select.setLong(1, dbId);
            select.setBytes(2, utf8(key));
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? rows.getLong(1) : 0;
            }
        }
    }

    private void bindRow(PreparedStatement statement, String key, byte[] body) throws SQLException {
        statement.setLong(1, dbId);
        statement.setBytes(2, utf8(key));
        bindBody(statement, 3, body);
    }

    /** The exact bytes at {@code index}, the JSONB text (or NULL) at {@code index + 1}. */
    private static void bindBody(PreparedStatement statement, int index, byte[] body) throws SQLException {
        statement.setBytes(index, body);
        if (JsonbCompatibility.canStore(body)) {
            statement.setString(index + 1, new String(body, StandardCharsets.UTF_8));
        } else {
            statement.setNull(index + 1, Types.VARCHAR);
        }
    }

    private static long single(PreparedStatement statement) throws SQLException {
        try (ResultSet rows = statement.executeQuery()) {
            if (!rows.next()) {
                throw new PydbException(ErrorCode.INTERNAL, "an upsert returned no row");
            }
            return rows.getLong(1);
        }
    }
}
