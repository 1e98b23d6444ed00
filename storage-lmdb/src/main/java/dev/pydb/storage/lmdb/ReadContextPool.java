package dev.pydb.storage.lmdb;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.lmdbjava.Env;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The idle {@link ReadContext}s of an environment, lent out one read at a time, whatever the
 * thread (virtual threads included: the transactions are {@code MDB_NOTLS}). It holds at most as
 * many contexts as reads ever ran at once, which the storage bounds by the reader slots. Each idle
 * context keeps its reader slot, but no snapshot, so it does not hold back page reuse.
 * Thread-safe; {@link #close()} must run after the last read ended and before the environment closes.
 */
final class ReadContextPool {
    private static final Logger LOG = LoggerFactory.getLogger(ReadContextPool.class);

    private final Env<ByteBuffer> env;
    private final Deque<ReadContext> idle = new ConcurrentLinkedDeque<>();

    ReadContextPool(Env<ByteBuffer> env) {
        this.env = requireNonNull(env, "env is null");
    }

    /** An idle context renewed on the latest committed data, or a new one. */
    ReadContext borrow() {
        ReadContext context = idle.pollFirst();
        if (context == null) {
            return ReadContext.open(env);
        }
        try {
            context.renew();
            return context;
        } catch (RuntimeException e) {
            discard(context);
            throw e;
        }
    }

    /** Takes back a context after a read that ended normally (or with an error of the request). */
    void giveBack(ReadContext context) {
        try {
            context.reset();
        } catch (RuntimeException e) {
            discard(context);
            return;
        }
        idle.offerFirst(context);
    }

    /** Closes a context after a failed read, instead of giving it back. */
    void discard(ReadContext context) {
        try {
            context.close();
        } catch (RuntimeException e) {
            LOG.warn("could not close an lmdb read transaction", e);
        }
    }

    /** The number of idle contexts (for tests). */
    int idleCount() {
        return idle.size();
    }

    /** Closes every idle context. */
    void close() {
        ReadContext context;
        while ((context = idle.pollFirst()) != null) {
            discard(context);
        }
    }
}
