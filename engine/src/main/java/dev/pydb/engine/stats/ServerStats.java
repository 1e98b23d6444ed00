package dev.pydb.engine.stats;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters for STATS: connections (open and total) and requests and errors per action.
 * Updated by the transport and the dispatcher, read by the STATS action. Thread-safe.
 */
public final class ServerStats {
    private final Instant startedAt;
    private final Clock clock;
    private final LongAdder openConnections = new LongAdder();
    private final LongAdder totalConnections = new LongAdder();
    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

    public ServerStats(Clock clock) {
        this.clock = clock;
        this.startedAt = clock.instant();
    }

    public void connectionOpened() {
        openConnections.increment();
        totalConnections.increment();
    }

    public void connectionClosed() {
        openConnections.decrement();
    }

    /** Counts one request of {@code action} (upper case; unknown actions count under their name too). */
    public void request(String action, boolean failed) {
        requests.computeIfAbsent(action, a -> new LongAdder()).increment();
        if (failed) {
            errors.computeIfAbsent(action, a -> new LongAdder()).increment();
        }
    }

    public Instant startedAt() {
        return startedAt;
    }

    public Duration uptime() {
        return Duration.between(startedAt, clock.instant());
    }

    public long openConnections() {
        return openConnections.sum();
    }

    public long totalConnections() {
        return totalConnections.sum();
    }

    /** Requests per action, sorted by name. */
    public Map<String, Long> requestsPerAction() {
        return snapshot(requests);
    }

    /** Error responses per action, sorted by name. */
    public Map<String, Long> errorsPerAction() {
        return snapshot(errors);
    }

    private static Map<String, Long> snapshot(Map<String, LongAdder> counters) {
        Map<String, Long> result = new TreeMap<>();
        counters.forEach((k, v) -> result.put(k, v.sum()));
        return result;
    }
}
