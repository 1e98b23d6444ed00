package dev.pydb.storage.mapdb;

/**
 * When the {@code mapdb} backend checkpoints: commits MapDB and empties its operation log. A
 * checkpoint costs a MapDB commit (two {@code fsync}s and the pages written since the last one);
 * the operations logged since then are replayed on the next open after a crash.
 *
 * @param operations checkpoint once this many operations are logged since the last checkpoint
 * @param logBytes checkpoint once the operation log holds this many bytes
 */
record Checkpoints(long operations, long logBytes) {
    Checkpoints {
        if (operations < 1 || logBytes < 1) {
            throw new IllegalArgumentException("checkpoint thresholds must be >= 1: " + operations + ", " + logBytes);
        }
    }

    boolean due(long operationsLogged, long bytesLogged) {
        return operationsLogged >= operations || bytesLogged >= logBytes;
    }
}
