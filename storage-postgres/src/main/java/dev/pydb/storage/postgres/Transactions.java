package dev.pydb.storage.postgres;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.PydbException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs units of work on pooled connections with the one retry rule of the postgres backend:
 * <ul>
 *   <li>a serialization failure or deadlock (40001, 40P01) rolls the transaction back, so it runs
 *       again from the start;</li>
 *   <li>a lost connection or a server that cannot write yet (failover) before COMMIT was sent: the
 *       transaction did not happen, so it runs again on a new connection, until {@code patience}
 *       has passed (then {@code UNAVAILABLE}, nothing applied);</li>
 *   <li>a lost connection while COMMIT was under way: the outcome is unknown, so it is never run
 *       again: {@code UNAVAILABLE} with the detail {@code outcome: "unknown"}.</li>
 * </ul>
 * A {@link PydbException} thrown by the work (a revision conflict, say) rolls back and goes to the
 * caller as it is. A write is acknowledged only after COMMIT returned: acknowledged = committed.
 */
final class Transactions {
    private static final Logger LOG = LoggerFactory.getLogger(Transactions.class);
    private static final int MAX_SERIALIZATION_RETRIES = 50;

    /** A unit of work on one connection; it may run more than once, so it must not have side effects outside it. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private final DataSource pool;
    private final Duration patience;

    Transactions(DataSource pool, Duration patience) {
        this.pool = requireNonNull(pool, "pool is null");
        this.patience = requireNonNull(patience, "patience is null");
    }

    /** Runs {@code work} in one transaction and commits it. */
    <T> T inTransaction(Work<T> work) {
        return run(work, true);
    }

    /** Runs {@code work} (reads) in autocommit mode; reads are always safe to run again. */
    <T> T read(Work<T> work) {
        return run(work, false);
    }

    private <T> T run(Work<T> work, boolean transaction) {
        long deadline = System.nanoTime() + patience.toNanos();
        int serializationFailures = 0;
        for (int attempt = 1; ; attempt++) {
            boolean commitSent = false;
            try (Connection connection = pool.getConnection()) {
                try {
                    connection.setAutoCommit(!transaction);
                    T result = work.run(connection);
                    if (transaction) {
                        commitSent = true;
                        connection.commit();
                    }
                    return result;
                } catch (SQLException | RuntimeException | Error e) {
                    if (transaction && !commitSent) {
                        rollbackQuietly(connection);
                    }
                    throw e;
                }
            } catch (SQLException e) {
                if (SqlFailures.isSerializationFailure(e)) {
                    // at COMMIT too: the server answered, so the transaction was rolled back
                    if (++serializationFailures > MAX_SERIALIZATION_RETRIES) {
                        throw SqlFailures.unavailable(e);
                    }
                    backOff(attempt);
                    continue;
                }
                if (SqlFailures.isConnectionFailure(e)) {
                    if (commitSent) {
                        throw SqlFailures.outcomeUnknown(e);
                    }
                    if (System.nanoTime() - deadline >= 0) {
                        throw SqlFailures.unavailable(e);
                    }
                    LOG.debug("PostgreSQL connection failed before COMMIT, trying again: {}", SqlFailures.describe(e));
                    backOff(attempt);
                    continue;
                }
                throw SqlFailures.toPydb(e);
            }
        }
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            LOG.debug("rollback failed: {}", SqlFailures.describe(e));
        }
    }

    private static void backOff(int attempt) {
        long maxMillis = Math.min(500, 5L << Math.min(attempt, 10));
        LockSupport.parkNanos(Duration.ofMillis(ThreadLocalRandom.current().nextLong(1, maxMillis + 1)).toNanos());
    }
}
