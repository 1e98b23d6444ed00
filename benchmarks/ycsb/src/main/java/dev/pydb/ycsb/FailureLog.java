package dev.pydb.ycsb;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import site.ycsb.Status;

/**
 * Logs the failed operations of a binding without flooding the log: the first
 * {@value #LOGGED_AT_WARN} failures of the JVM at WARN, the rest at DEBUG (YCSB counts them all
 * in its {@code Return=ERROR} lines anyway).
 */
final class FailureLog {
    static final int LOGGED_AT_WARN = 10;
    private static final AtomicLong FAILURES = new AtomicLong();

    private final Logger log;

    FailureLog(Class<?> binding) {
        this.log = LoggerFactory.getLogger(requireNonNull(binding, "binding is null"));
    }

    /** Logs the failure of {@code operation} on {@code key} and returns {@link Status#ERROR}. */
    Status error(String operation, String key, Exception failure) {
        long count = FAILURES.incrementAndGet();
        if (count <= LOGGED_AT_WARN) {
            log.warn("{} of '{}' failed: {}{}", operation, key, failure.toString(),
                    count == LOGGED_AT_WARN ? " (further failures are logged at DEBUG)" : "");
        } else {
            log.debug("{} of '{}' failed: {}", operation, key, failure.toString());
        }
        return Status.ERROR;
    }
}
