package dev.pydb.engine.transport;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server-wide budget of bytes held by requests (being received, parsed, executed) and by
 * responses waiting to be written ({@code server.max_request_memory}). A connection reserves
 * before it allocates ({@link #tryReserve}); if that fails it stops reading and waits for
 * {@link #whenReleased}.
 * Memory already allocated that must be kept (a response) is {@link #forceReserve charged}
 * without a check. Every reservation is {@link #release released} exactly once. Only accounting:
 * who waits, and what a request costs, are decided elsewhere. Thread-safe.
 */
public final class MemoryBudget {
    private static final Logger log = LoggerFactory.getLogger(MemoryBudget.class);

    private final long limit;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final Queue<Runnable> waiters = new ConcurrentLinkedQueue<>();

    public MemoryBudget(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("the memory budget must be > 0 bytes, was " + limit);
        }
        this.limit = limit;
    }

    /** The budget, in bytes. */
    public long limit() {
        return limit;
    }

    /** The bytes reserved now. */
    public long used() {
        return used.get();
    }

    /** The most bytes reserved at one time since the start. */
    public long peak() {
        return peak.get();
    }

    /** Whether {@code bytes} could ever be reserved (they are not more than the whole budget). */
    public boolean fits(long bytes) {
        return bytes <= limit;
    }

    /** Reserves {@code bytes} if they fit in what is free now; false (and nothing reserved) if not. */
    public boolean tryReserve(long bytes) {
        requireNotNegative(bytes);
        while (true) {
            long current = used.get();
            if (current + bytes > limit) {
                return false;
            }
            if (used.compareAndSet(current, current + bytes)) {
                notePeak(current + bytes);
                return true;
            }
        }
    }

    /** Charges memory that is allocated already and must be kept; may take the budget over its limit. */
    public void forceReserve(long bytes) {
        requireNotNegative(bytes);
        if (bytes > 0) {
            notePeak(used.addAndGet(bytes));
        }
    }

    /** Gives back {@code bytes} reserved before and tells whoever waits for memory. */
    public void release(long bytes) {
        requireNotNegative(bytes);
        if (bytes == 0) {
            return;
        }
        long now = used.addAndGet(-bytes);
        if (now < 0) {
            // An accounting bug must not block every connection: log it and start again from zero.
            log.error("memory budget released more than was reserved ({} bytes below zero); resetting it", -now);
            used.compareAndSet(now, 0);
        }
        wakeWaiters();
    }

    /**
     * Runs {@code waiter} once, on the releasing thread, at the next {@link #release}: an event
     * loop's connection that found no room registers here, then tries again (a release between
     * its failed try and this call would otherwise be missed). The callback must be short.
     */
    public void whenReleased(Runnable waiter) {
        waiters.add(waiter);
    }

    private void wakeWaiters() {
        Runnable waiter;
        int n = waiters.size();
        while (n-- > 0 && (waiter = waiters.poll()) != null) {
            try {
                waiter.run();
            } catch (RuntimeException e) {
                log.error("a memory waiter failed", e);
            }
        }
    }

    private void notePeak(long value) {
        long p;
        while (value > (p = peak.get()) && !peak.compareAndSet(p, value)) {
            // retry
        }
    }

    private static void requireNotNegative(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must be >= 0, was " + bytes);
        }
    }
}
