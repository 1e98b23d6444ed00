package dev.pydb.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The retry rule, with connections whose failures are scripted: serialization failures and
 * connections lost before COMMIT run the work again; a connection lost during COMMIT is
 * {@code UNAVAILABLE} with {@code outcome: "unknown"} and never runs it again.
 */
final class TransactionsTest {
    private final AtomicInteger commits = new AtomicInteger();
    private String commitFailure;

    @Test
    void aSerializationFailureRunsTheWholeTransactionAgain() {
        AtomicInteger runs = new AtomicInteger();
        Transactions transactions = new Transactions(pool(), Duration.ofSeconds(5));
        String result = transactions.inTransaction(connection -> {
            if (runs.incrementAndGet() < 3) {
                throw new SQLException("could not serialize access", runs.get() == 1 ? "40001" : "40P01");
            }
            return "done";
        });
        assertThat(result).isEqualTo("done");
        assertThat(runs).hasValue(3);
        assertThat(commits).hasValue(1);
    }

    @Test
    void aConnectionLostBeforeCommitRunsItAgainOnANewConnection() {
        AtomicInteger runs = new AtomicInteger();
        Transactions transactions = new Transactions(pool(), Duration.ofSeconds(5));
        transactions.inTransaction(connection -> {
            if (runs.incrementAndGet() == 1) {
                throw new SQLException("An I/O error occurred while sending to the backend.", "08006");
            }
            return null;
        });
        assertThat(runs).hasValue(2);
    }

    @Test
    void aConnectionLostDuringCommitIsOutcomeUnknownAndNotRunAgain() {
        commitFailure = "08006";
        AtomicInteger runs = new AtomicInteger();
        Transactions transactions = new Transactions(pool(), Duration.ofSeconds(5));
        PydbException e = catchThrowableOfType(PydbException.class, () -> transactions.inTransaction(connection -> {
            runs.incrementAndGet();
            return null;
        }));
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(e.details()).containsEntry("outcome", "unknown");
        assertThat(e.getMessage()).contains("may or may not have been applied");
        assertThat(runs).hasValue(1);
    }

    @Test
    void anUnreachableServerIsUnavailableOnceThePatienceIsSpent() {
        Transactions transactions = new Transactions(pool(), Duration.ofMillis(300));
        PydbException e = catchThrowableOfType(PydbException.class, () -> transactions.inTransaction(connection -> {
            throw new SQLException("Connection refused", "08001");
        }));
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(e.details()).doesNotContainKey("outcome");
        assertThat(e.getMessage()).contains("nothing was applied");
    }

    @Test
    void aPydbExceptionOfTheWorkRollsBackAndIsNotRetried() {
        AtomicInteger runs = new AtomicInteger();
        Transactions transactions = new Transactions(pool(), Duration.ofSeconds(5));
        PydbException e = catchThrowableOfType(PydbException.class, () -> transactions.inTransaction(connection -> {
            runs.incrementAndGet();
            throw PydbException.conflict("db", "k", 1, 2);
        }));
        assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
        assertThat(runs).hasValue(1);
        assertThat(commits).hasValue(0);
    }

    /** Connections that do nothing but count commits, or fail COMMIT with {@link #commitFailure}. */
    private DataSource pool() {
        Connection connection = (Connection) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    if (method.getName().equals("commit")) {
                        if (commitFailure != null) {
                            throw new SQLException("An I/O error occurred while sending to the backend.", commitFailure);
                        }
                        commits.incrementAndGet();
                    }
                    return method.getReturnType() == boolean.class ? false : null;
                });
        return new DataSource() {
            @Override
            public Connection getConnection() {
                return connection;
            }

            @Override
            public Connection getConnection(String username, String password) {
                return connection;
            }

            @Override
            public PrintWriter getLogWriter() {
                return null;
            }

            @Override
            public void setLogWriter(PrintWriter out) {}

            @Override
            public void setLoginTimeout(int seconds) {}

            @Override
            public int getLoginTimeout() {
                return 0;
            }

            @Override
            public Logger getParentLogger() {
                return Logger.getGlobal();
            }

            @Override
            public <T> T unwrap(Class<T> iface) {
                throw new UnsupportedOperationException();
            }

            @Override
            public boolean isWrapperFor(Class<?> iface) {
                return false;
            }
        };
    }
}
