package dev.pydb.storage.postgres;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.storage.SessionStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Sessions in the table {@code sessions} (token digest, username, expiry) and login failures in
 * {@code login_failures}, shared by every node on the schema. No cache: a lookup is one primary-key
 * read, so a LOGOUT on one node is seen by the next request on any node. Thread-safe.
 */
final class PostgresSessionStore implements SessionStore {
    private final Transactions transactions;

    PostgresSessionStore(Transactions transactions) {
        this.transactions = requireNonNull(transactions, "transactions is null");
    }

    @Override
    public void put(String tokenDigest, String username, Instant expiresAt) {
        requireNonNull(tokenDigest, "tokenDigest is null");
        requireNonNull(username, "username is null");
        requireNonNull(expiresAt, "expiresAt is null");
        transactions.inTransaction(connection -> {
            try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO sessions (token_digest, username,"
                    + " expires_at) VALUES (?, ?, ?) ON CONFLICT (token_digest) DO UPDATE SET username = excluded.username,"
                    + " expires_at = excluded.expires_at")) {
                upsert.setString(1, tokenDigest);
                upsert.setString(2, username);
                upsert.setTimestamp(3, Timestamp.from(expiresAt));
                upsert.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Optional<StoredSession> lookup(String tokenDigest, Instant now) {
        requireNonNull(tokenDigest, "tokenDigest is null");
        requireNonNull(now, "now is null");
        return transactions.read(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT username, expires_at FROM sessions WHERE token_digest = ? AND expires_at > ?")) {
                select.setString(1, tokenDigest);
                select.setTimestamp(2, Timestamp.from(now));
                try (ResultSet rows = select.executeQuery()) {
                    return rows.next()
                            ? Optional.of(new StoredSession(rows.getString(1), rows.getTimestamp(2).toInstant()))
                            : Optional.<StoredSession>empty();
                }
            }
        });
    }

    @Override
    public boolean revoke(String tokenDigest, Instant now) {
        requireNonNull(tokenDigest, "tokenDigest is null");
        return transactions.inTransaction(connection -> {
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM sessions WHERE token_digest = ? RETURNING expires_at > ?")) {
                delete.setString(1, tokenDigest);
                delete.setTimestamp(2, Timestamp.from(now));
                try (ResultSet rows = delete.executeQuery()) {
                    return rows.next() && rows.getBoolean(1);
                }
            }
        });
    }

    @Override
    public long purgeExpired(Instant now) {
        return transactions.inTransaction(connection -> {
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM sessions WHERE expires_at <= ?")) {
                delete.setTimestamp(1, Timestamp.from(now));
                return (long) delete.executeUpdate();
            }
        });
    }

    @Override
    public Optional<LoginFailures> loginFailures(String subject) {
        requireNonNull(subject, "subject is null");
        return transactions.read(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT failures, lockouts, last_failure,"
                    + " locked_until FROM login_failures WHERE subject = ?")) {
                select.setString(1, subject);
                return readFailures(select);
            }
        });
    }

    @Override
    public LoginFailures updateLoginFailures(String subject, UnaryOperator<LoginFailures> change) {
        requireNonNull(subject, "subject is null");
        requireNonNull(change, "change is null");
        return transactions.inTransaction(connection -> {
            // the row must exist to be locked: create it empty first (a no-op when it is there)
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO login_failures (subject, failures,"
                    + " lockouts, last_failure, locked_until) VALUES (?, 0, 0, 'epoch', 'epoch')"
                    + " ON CONFLICT (subject) DO NOTHING")) {
                insert.setString(1, subject);
                insert.executeUpdate();
            }
            Optional<LoginFailures> current;
            try (PreparedStatement select = connection.prepareStatement("SELECT failures, lockouts, last_failure,"
                    + " locked_until FROM login_failures WHERE subject = ? FOR UPDATE")) {
                select.setString(1, subject);
                current = readFailures(select).filter(f -> f.failures() != 0 || f.lockouts() != 0);
            }
            LoginFailures updated = requireNonNull(change.apply(current.orElse(null)), "change returned null");
            try (PreparedStatement update = connection.prepareStatement("UPDATE login_failures SET failures = ?,"
                    + " lockouts = ?, last_failure = ?, locked_until = ? WHERE subject = ?")) {
                update.setInt(1, updated.failures());
                update.setInt(2, updated.lockouts());
                update.setTimestamp(3, Timestamp.from(updated.lastFailure()));
                update.setTimestamp(4, Timestamp.from(updated.lockedUntil()));
                update.setString(5, subject);
                update.executeUpdate();
            }
            return updated;
        });
    }

    @Override
    public void clearLoginFailures(String subject) {
        requireNonNull(subject, "subject is null");
        transactions.inTransaction(connection -> {
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM login_failures WHERE subject = ?")) {
                delete.setString(1, subject);
                delete.executeUpdate();
            }
            return null;
        });
    }

    private static Optional<LoginFailures> readFailures(PreparedStatement select) throws SQLException {
        try (ResultSet rows = select.executeQuery()) {
            if (!rows.next()) {
                return Optional.empty();
            }
            return Optional.of(new LoginFailures(rows.getInt(1), rows.getInt(2), rows.getTimestamp(3).toInstant(),
                    rows.getTimestamp(4).toInstant()));
        }
    }
}
