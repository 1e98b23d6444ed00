package dev.pydb.engine.stats;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Counters for STATS and the metrics: connections (open, total, refused), requests and errors per
 * action, failed logins and lockouts, the memory budget (reserved, peak, limit; waits, refusals,
 * output-limit disconnects) and transport incidents. Updated by the transport, the dispatcher and the LOGIN
 * throttle, read by the STATS action and the metrics; each answered request is also handed to a
 * {@link RequestObserver} (the metrics' latency histograms). Thread-safe.
 */
public final class ServerStats {
    private final Instant startedAt;
    private final Clock clock;
    private final RequestObserver observer;
    private final LongAdder openConnections = new LongAdder();
    private final LongAdder totalConnections = new LongAdder();
    private final LongAdder refusedConnections = new LongAdder();
    private final LongAdder loginFailures = new LongAdder();
    private final LongAdder lockouts = new LongAdder();
    private final LongAdder memoryWaits = new LongAdder();
    private final LongAdder memoryRefusals = new LongAdder();
    private final LongAdder outputLimitDisconnects = new LongAdder();
    private final LongAdder connectionIncidents = new LongAdder();
    private volatile LongSupplier memoryUsed = () -> 0;
    private volatile LongSupplier memoryPeak = () -> 0;
    private volatile long memoryLimit;
    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

    public ServerStats(Clock clock) {
        this(clock, RequestObserver.NONE);
    }

    public ServerStats(Clock clock, RequestObserver observer) {
        this.clock = requireNonNull(clock, "clock is null");
        this.observer = requireNonNull(observer, "observer is null");
        this.startedAt = clock.instant();
    }

    public void connectionOpened() {
        openConnections.increment();
        totalConnections.increment();
    }

    public void connectionClosed() {
        openConnections.decrement();
    }

    /** A connection refused at once (over {@code max_connections} or another connection limit). */
    public void connectionRefused() {
        refusedConnections.increment();
    }

    /** A LOGIN with a wrong password or an unknown user. */
    public void loginFailed() {
        loginFailures.increment();
    }

    /** A username or a client address was locked out after failed LOGINs. */
    public void lockoutStarted() {
        lockouts.increment();
    }

    /** The transport's memory budget, shown by STATS and the metrics: bytes reserved now, the peak, the limit. */
    public void bindMemoryBudget(LongSupplier used, LongSupplier peak, long limit) {
        this.memoryUsed = requireNonNull(used, "used is null");
        this.memoryPeak = requireNonNull(peak, "peak is null");
        this.memoryLimit = limit;
    }

    /** A frame whose memory was not free at once: its connection stopped reading until it was. */
    public void memoryWaited() {
        memoryWaits.increment();
    }

    /** A request refused with {@code LIMIT_EXCEEDED} for lack of request memory. */
    public void memoryRefused() {
        memoryRefusals.increment();
    }

    /** A connection closed because its unwritten output went over {@code max_output_bytes_per_connection}. */
    public void outputLimitDisconnect() {
        outputLimitDisconnects.increment();
    }

    /** A connection closed after an unexpected failure in the transport (an incident id was logged). */
    public void connectionIncident() {
        connectionIncidents.increment();
    }

    public long memoryWaits() {
        return memoryWaits.sum();
    }

    public long memoryRefusals() {
        return memoryRefusals.sum();
    }

    public long outputLimitDisconnects() {
        return outputLimitDisconnects.sum();
    }

    public long connectionIncidents() {
        return connectionIncidents.sum();
    }

    /** Bytes of the memory budget reserved now (0 before a transport is bound). */
    public long memoryUsed() {
        return memoryUsed.getAsLong();
    }

    public long memoryPeak() {
        return memoryPeak.getAsLong();
    }

    /** The memory budget in bytes (0 before a transport is bound). */
    public long memoryLimit() {
        return memoryLimit;
    }

    /** Whether requests are timed for an observer (the metrics); if not, callers may pass 0 nanoseconds. */
    public boolean timesRequests() {
        return observer != RequestObserver.NONE;
    }

    /** Counts one request of {@code action} (upper case; unknown actions count under their name too). */
    public void request(String action, boolean failed) {
        count(action, failed);
    }

    /**
     * Counts one answered request of {@code action} and tells the observer.
     *
     * @param error the response's error code, {@code null} for a success
     * @param nanos how long the request took in the server
     */
    public void request(String action, ErrorCode error, long nanos) {
        count(action, error != null);
        observer.requestCompleted(action, error, nanos);
    }

    private void count(String action, boolean failed) {
        counter(requests, action).increment();
        if (failed) {
            counter(errors, action).increment();
        }
    }

    private static LongAdder counter(Map<String, LongAdder> counters, String action) {
        LongAdder counter = counters.get(action);
        return counter != null ? counter : counters.computeIfAbsent(action, a -> new LongAdder());
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

    public long refusedConnections() {
        return refusedConnections.sum();
    }

    public long loginFailures() {
        return loginFailures.sum();
    }

    public long lockouts() {
        return lockouts.sum();
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
