package dev.pydb.bench;

import java.util.concurrent.atomic.AtomicLong;

/**
 * When the measured run ends, shared by every connection: after {@code maxRequests} requests
 * (claimed in pipeline-sized slices) or at a deadline, whichever comes first.
 */
final class RunLimit {
    private final AtomicLong remaining;
    private final long deadlineNanos;

    /** {@code maxRequests} ≤ 0 means no count limit; {@code durationNanos} ≤ 0 means no deadline. */
    RunLimit(long maxRequests, long durationNanos, long startNanos) {
        this.remaining = new AtomicLong(maxRequests > 0 ? maxRequests : Long.MAX_VALUE);
        this.deadlineNanos = durationNanos > 0 ? startNanos + durationNanos : Long.MAX_VALUE;
    }

    /** How many of {@code wanted} requests may still be sent now: 0 once the run is over. */
    int claim(int wanted) {
        if (deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos >= 0) {
            return 0;
        }
        while (true) {
            long left = remaining.get();
            if (left <= 0) {
                return 0;
            }
            int granted = (int) Math.min(wanted, left);
            if (remaining.compareAndSet(left, left - granted)) {
                return granted;
            }
        }
    }
}
