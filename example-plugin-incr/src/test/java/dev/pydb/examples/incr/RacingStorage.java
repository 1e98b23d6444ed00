package dev.pydb.examples.incr;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.api.storage.WriteResult;
import dev.pydb.storage.tck.memory.ForwardingStorage;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A storage that plays a concurrent writer: it runs a hook before every write, i.e. between an
 * INCR's read and its write, and counts the writes that failed with {@code CONFLICT}. Writes made
 * by the hook itself do not run it again.
 */
final class RacingStorage extends ForwardingStorage {
    private final AtomicInteger conflicts = new AtomicInteger();
    private final ThreadLocal<Boolean> inHook = ThreadLocal.withInitial(() -> false);
    private volatile Runnable beforeEachWrite = () -> {};

    RacingStorage(Storage delegate) {
        super(delegate);
    }

    /** Runs {@code hook} before each later write (not before the hook's own writes). */
    void beforeEachWrite(Runnable hook) {
        beforeEachWrite = hook;
    }

    /** How many writes failed with {@code CONFLICT}. */
    int conflicts() {
        return conflicts.get();
    }

    @Override
    public List<WriteResult> write(String db, List<WriteOp> ops) {
        if (!inHook.get()) {
            inHook.set(true);
            try {
                beforeEachWrite.run();
            } finally {
                inHook.set(false);
            }
        }
        try {
            return super.write(db, ops);
        } catch (PydbException e) {
            if (e.code() == ErrorCode.CONFLICT) {
                conflicts.incrementAndGet();
            }
            throw e;
        }
    }
}
