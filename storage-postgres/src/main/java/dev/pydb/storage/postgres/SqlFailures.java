package dev.pydb.storage.postgres;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * What a {@link SQLException} from PostgreSQL means for py_db: whether the transaction may be run
 * again, and the protocol error it becomes otherwise.
 */
final class SqlFailures {
    /** The detail that marks an {@code UNAVAILABLE} write whose commit may or may not have happened. */
    static final String OUTCOME = "outcome";
    static final String OUTCOME_UNKNOWN = "unknown";

    private SqlFailures() {}

    /**
     * A serialization failure or a deadlock: PostgreSQL rolled the whole transaction back, so running
     * it again from the start is safe (40001, 40P01).
     */
    static boolean isSerializationFailure(SQLException e) {
        String state = e.getSQLState();
        return "40001".equals(state) || "40P01".equals(state);
    }

    /**
     * The connection is gone or the server cannot take writes right now: class 08 (connection
     * exception), 57P01/57P02/57P03 (administrator or crash shutdown, starting up), 25006 (a read-only
     * transaction: a standby answered during a failover), or the pool had no connection in time.
     * Nothing of a transaction whose COMMIT was not sent was applied.
     */
    static boolean isConnectionFailure(SQLException e) {
        if (e instanceof SQLTransientConnectionException) {
            return true;
        }
        String state = e.getSQLState();
        if (state == null) {
            return e.getCause() instanceof java.io.IOException;
        }
        return state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")
                || state.equals("25006");
    }

    /** A write whose COMMIT was sent but whose answer never came: it may have been applied. */
    static PydbException outcomeUnknown(SQLException e) {
        return new PydbException(ErrorCode.UNAVAILABLE, "the connection to PostgreSQL was lost during COMMIT: the write"
                + " may or may not have been applied; read the document to find out (" + describe(e) + ")", e)
                .withDetail(OUTCOME, OUTCOME_UNKNOWN);
    }

    /** PostgreSQL could not be reached, or gave up on the transaction: nothing was applied, safe to retry. */
    static PydbException unavailable(SQLException e) {
        return new PydbException(ErrorCode.UNAVAILABLE, "PostgreSQL is not available, nothing was applied; retry ("
                + describe(e) + ")", e);
    }

    /** Any other failure, by SQL state: out of space is {@code LIMIT_EXCEEDED}, the rest {@code UNAVAILABLE}. */
    static PydbException toPydb(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.equals("53100")) {
            return new PydbException(ErrorCode.LIMIT_EXCEEDED, "PostgreSQL is out of disk space; nothing of the write"
                    + " was applied (" + describe(e) + ")", e);
        }
        if (state.equals("54000") || state.equals("54001")) {
            return new PydbException(ErrorCode.LIMIT_EXCEEDED, "over a PostgreSQL limit; nothing of the write was applied ("
                    + describe(e) + ")", e);
        }
        return new PydbException(ErrorCode.UNAVAILABLE, "PostgreSQL failed the request; nothing was applied ("
                + describe(e) + ")", e);
    }

    /** The SQL state and the first line of the server's message. */
    static String describe(SQLException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int newline = message.indexOf('\n');
        return "SQLSTATE " + e.getSQLState() + ": " + (newline < 0 ? message : message.substring(0, newline));
    }
}
