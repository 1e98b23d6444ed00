package dev.pydb.storage.postgres;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * py_db's tables in one PostgreSQL schema, versioned: the table {@code schema_version} lists every
 * migration applied, and a start applies the missing ones in order, in one transaction under an
 * advisory lock, so nodes starting together migrate once. A schema newer than this py_db knows is
 * refused ({@code UNAVAILABLE}): an older node must not write to it.
 *
 * <h2>Version 1</h2>
 * <pre>
 * databases (id bigint identity PK, name text COLLATE "C" UNIQUE, created_at)
 * documents (db_id → databases ON DELETE CASCADE, key bytea, rev bigint, raw bytea, body jsonb, PK (db_id, key))
 *   documents_body_gin: GIN (body jsonb_path_ops)       equality filters ({@code @>})
 *   documents_unchecked: (db_id, key) WHERE body IS NULL documents JSONB cannot hold exactly
 * indexes (db_id, field text[], is_unique, ttl_seconds, index_names text[], error, PK (db_id, field))
 * sessions (token_digest PK, username, expires_at)      shared LOGIN tokens (digests only)
 * login_failures (subject PK, failures, lockouts, last_failure, locked_until)
 * </pre>
 * Keys are {@code bytea} (UTF-8): byte order is {@link dev.pydb.api.storage.KeyOrder}, whatever the
 * database's collation, and a key may hold U+0000, which {@code text} cannot.
 */
final class SchemaMigrations {
    /** The newest schema version this code writes. */
    static final int CURRENT_VERSION = 1;

    private static final List<List<String>> MIGRATIONS = List.of(
            List.of(
                    "CREATE TABLE databases (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                            + " name text COLLATE \"C\" NOT NULL UNIQUE, created_at timestamptz NOT NULL DEFAULT now())",
                    "CREATE TABLE documents (db_id bigint NOT NULL REFERENCES databases (id) ON DELETE CASCADE,"
                            + " key bytea NOT NULL, rev bigint NOT NULL, raw bytea NOT NULL, body jsonb,"
                            + " PRIMARY KEY (db_id, key))",
                    "CREATE INDEX documents_body_gin ON documents USING gin (body jsonb_path_ops)",
                    "CREATE INDEX documents_unchecked ON documents (db_id, key) WHERE body IS NULL",
                    "CREATE TABLE indexes (db_id bigint NOT NULL REFERENCES databases (id) ON DELETE CASCADE,"
                            + " field text[] NOT NULL, is_unique boolean NOT NULL, ttl_seconds bigint NOT NULL,"
                            + " index_names text[] NOT NULL, error text, created_at timestamptz NOT NULL DEFAULT now(),"
                            + " PRIMARY KEY (db_id, field))",
                    "CREATE TABLE sessions (token_digest text PRIMARY KEY, username text NOT NULL,"
                            + " expires_at timestamptz NOT NULL)",
                    "CREATE INDEX sessions_expiry ON sessions (expires_at)",
                    "CREATE TABLE login_failures (subject text PRIMARY KEY, failures integer NOT NULL,"
                            + " lockouts integer NOT NULL, last_failure timestamptz NOT NULL,"
                            + " locked_until timestamptz NOT NULL)"));

    private SchemaMigrations() {}

    /**
     * Creates the schema if needed and applies the missing migrations; returns the version found
     * before (0 for a new schema). Checks that the database can keep py_db's promises (UTF-8).
     */
    static int migrate(Connection connection, String schema, String serverVersion) throws SQLException {
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            checkServer(statement);
            statement.execute("SELECT pg_advisory_xact_lock(hashtext('pydb schema " + schema + "'))");
            statement.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
            statement.execute("SET LOCAL search_path TO " + schema);
            statement.execute("CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY,"
                    + " applied_at timestamptz NOT NULL DEFAULT now(), applied_by text NOT NULL)");
            int found;
            try (ResultSet rows = statement.executeQuery("SELECT coalesce(max(version), 0) FROM schema_version")) {
                rows.next();
                found = rows.getInt(1);
            }
            if (found > CURRENT_VERSION) {
                throw new PydbException(ErrorCode.UNAVAILABLE, "the PostgreSQL schema '" + schema + "' is at version "
                        + found + ", newer than this py_db knows (" + CURRENT_VERSION + "); upgrade this node");
            }
            if (found < 0) {
                throw new PydbException(ErrorCode.UNAVAILABLE, "the PostgreSQL schema '" + schema
                        + "' has a damaged schema_version table (version " + found + ")");
            }
            for (int version = found + 1; version <= CURRENT_VERSION; version++) {
                for (String sql : MIGRATIONS.get(version - 1)) {
                    statement.execute(sql);
                }
                try (var insert = connection.prepareStatement(
                        "INSERT INTO schema_version (version, applied_by) VALUES (?, ?)")) {
                    insert.setInt(1, version);
                    insert.setString(2, "py_db " + serverVersion);
                    insert.executeUpdate();
                }
            }
            checkTables(statement, schema);
            connection.commit();
            return found;
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        }
    }

    private static void checkServer(Statement statement) throws SQLException {
        try (ResultSet rows = statement.executeQuery(
                "SELECT current_setting('server_encoding'), current_setting('standard_conforming_strings')")) {
            rows.next();
            if (!rows.getString(1).equalsIgnoreCase("UTF8")) {
                throw new PydbException(ErrorCode.UNAVAILABLE, "the PostgreSQL database must use the UTF8 encoding, it uses "
                        + rows.getString(1));
            }
            if (!rows.getString(2).equals("on")) {
                throw new PydbException(ErrorCode.UNAVAILABLE, "PostgreSQL's standard_conforming_strings must be on");
            }
        }
    }

    private static void checkTables(Statement statement, String schema) throws SQLException {
        for (String table : List.of("databases", "documents", "indexes", "sessions", "login_failures")) {
            try (ResultSet rows = statement.executeQuery("SELECT to_regclass('" + schema + "." + table + "') IS NOT NULL")) {
                rows.next();
                if (!rows.getBoolean(1)) {
                    throw new PydbException(ErrorCode.UNAVAILABLE, "the PostgreSQL schema '" + schema
                            + "' is damaged: table " + table + " is missing although schema_version says "
                            + CURRENT_VERSION);
                }
            }
        }
    }
}
