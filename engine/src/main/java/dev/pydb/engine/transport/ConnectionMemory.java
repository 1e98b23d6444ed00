package dev.pydb.engine.transport;

import static java.util.Objects.requireNonNull;

import dev.pydb.engine.config.ServerConfig;
import dev.pydb.engine.stats.ServerStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a transport's connections share for memory: the server-wide {@link MemoryBudget}, the
 * output ceiling of one connection ({@code server.max_output_bytes_per_connection}) and the
 * statistics that count waits, refusals and disconnects.
 */
record ConnectionMemory(MemoryBudget budget, long maxOutputBytes, ServerStats stats) {
    private static final Logger log = LoggerFactory.getLogger(ConnectionMemory.class);

    ConnectionMemory {
        requireNonNull(budget, "budget is null");
        requireNonNull(stats, "stats is null");
        if (maxOutputBytes <= 0) {
            throw new IllegalArgumentException("maxOutputBytes must be > 0, was " + maxOutputBytes);
        }
    }

    /**
     * The budget of {@code server.max_request_memory} (0: half of the JVM's maximum heap), bound
     * to {@code stats} for STATS and the metrics.
     */
    static ConnectionMemory create(ServerConfig config, ServerStats stats) {
        long limit = config.memory().effectiveMaxRequestMemory(Runtime.getRuntime().maxMemory());
        MemoryBudget budget = new MemoryBudget(limit);
        stats.bindMemoryBudget(budget::used, budget::peak, limit);
        long largestFrame = RequestCost.ofFrame(config.maxQueryLength());
        if (!budget.fits(largestFrame)) {
            log.warn("server.max_request_memory ({} bytes) is less than what a frame of max_query_length ({} bytes) "
                    + "needs ({} bytes): such frames are refused with LIMIT_EXCEEDED", limit, config.maxQueryLength(),
                    largestFrame);
        }
        return new ConnectionMemory(budget, config.memory().maxOutputBytesPerConnection(), stats);
    }

    /** A budget of {@code limit} bytes, for tests. */
    static ConnectionMemory of(long limit, long maxOutputBytes, ServerStats stats) {
        return new ConnectionMemory(new MemoryBudget(limit), maxOutputBytes, stats);
    }
}
