package dev.pydb.engine.stats;

import dev.pydb.api.ErrorCode;

/**
 * Told of every answered request, for the metrics ({@code server.metrics}). Called on the
 * request's thread, an event loop for cheap reads: must be cheap and never throw.
 */
@FunctionalInterface
public interface RequestObserver {
    /** Observes nothing. */
    RequestObserver NONE = (action, error, nanos) -> {};

    /**
     * @param action the statistics name of the action (upper case, or {@code (invalid)}/{@code (unknown)})
     * @param error  the error code of the response, {@code null} for a success
     * @param nanos  from the start of parsing the request to its response being ready
     */
    void requestCompleted(String action, ErrorCode error, long nanos);
}
