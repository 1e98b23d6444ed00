package dev.pydb.storage.toolkit.wal;

/**
 * The backend's part of one commit, run by {@link WriteAheadLog#commit} under the log's sequencer
 * lock, in arrival order, on the caller's thread.
 */
@FunctionalInterface
public interface Preparer<T> {
    /**
     * Checks the request against the backend's state <em>including the requests prepared before
     * it that are not durable yet</em>, records its changes as pending (invisible to readers), and
     * returns them with the record to log. Throwing (a revision conflict, {@code NOT_FOUND}, …)
     * fails this request alone: nothing is logged, the sequence number is not used, and the
     * exception reaches the caller once every request prepared before it is published (or has
     * failed), so that a re-read then sees the state the request was refused against.
     *
     * @param sequence the sequence number the record will have
     */
    Prepared<T> prepare(long sequence);
}
