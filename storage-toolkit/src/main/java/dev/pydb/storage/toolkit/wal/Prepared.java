package dev.pydb.storage.toolkit.wal;

import java.nio.ByteBuffer;

/**
 * A request that passed its checks and waits to become durable (see {@link Preparer}). The log
 * calls exactly one of {@link #publish} and {@link #abort}, once.
 */
public interface Prepared<T> {
    /**
     * The record to append: the bytes between the buffer's position and limit, at most
     * {@code 1 GiB}. Read once, under the sequencer lock; the buffer is not changed.
     */
    ByteBuffer payload();

    /**
     * The record is durable: make the changes visible to readers and return the caller's result.
     * Called in sequence order (every earlier record is published first), on the thread leading the
     * group commit, which may be another caller's; not under the sequencer lock, so later requests
     * may be prepared meanwhile. Must not throw: a failure here leaves the backend's state behind
     * its log, so the log refuses all later writes ({@code UNAVAILABLE}) until a restart replays it.
     */
    T publish();

    /**
     * The record did not become durable (its group failed, or an earlier group failed and this
     * request was checked against that group's changes): forget the pending changes. Called under
     * the sequencer lock, in reverse sequence order, for every request prepared and not published,
     * so that afterwards nothing is pending. Must not throw.
     */
    void abort();
}
