package dev.pydb.storage.lmdb;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one platform thread that runs every LMDB write transaction (LMDB binds a write transaction
 * to the OS thread that began it, so never a virtual thread).
 *
 * <p>Group commit: the thread takes every task waiting in its queue (up to
 * {@link #MAX_GROUP_SIZE}) and runs them, in queue order, in one write transaction. Each task
 * first checks its writes without writing ({@link Task#prepare}); a task whose checks fail is
 * answered with its error and leaves nothing behind, while the others go on. One durable commit
 * then covers the whole group, and only after it returns are the callers answered.
 *
 * <p>If applying a task's writes fails (the map is full, {@code MDB_MAP_FULL}; the transaction
 * is too large, {@code MDB_TXN_FULL}; the disk is full) or the commit fails, the whole transaction
 * is aborted and, for a group of several tasks, each task runs again in a transaction of its own,
 * so only the tasks that fail on their own fail ({@code LIMIT_EXCEEDED} for a full map or disk).
 * Nothing of a failed task is ever applied. An I/O failure that {@linkplain
 * WriteFailures#breaksStorage breaks the storage} (a failed page write or sync with room on the
 * disk, {@code MDB_PANIC}) fails the whole group and every later task with {@code UNAVAILABLE},
 * until a restart.
 */
final class GroupCommitWriter implements AutoCloseable {
    /** The work of one caller, run inside the group's write transaction, which it must not commit or close. */
    @FunctionalInterface
    interface Task<T> {
        /** Checks the task against {@code txn} without writing; throws to fail this task alone. */
        PreparedWrite<T> prepare(Txn<ByteBuffer> txn);
    }

    static final int MAX_GROUP_SIZE = 256;
    private static final long MAX_GATHER_NANOS = 1_000_000;
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitWriter.class);

    private final Env<ByteBuffer> env;
    private final WriteFailures failures;
    private final BlockingQueue<Request<?>> queue = new LinkedBlockingQueue<>();
    private final Request<Void> stopMarker = new Request<>(txn -> writeTxn -> null);
    private final Thread thread;
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong committedTasks = new AtomicLong();
    /** Duration of the last successful commit; written and read by the writer thread only. */
    private long lastCommitNanos;
    /** Set once a failure broke the storage: the answer to every later task. */
    private volatile PydbException broken;
    private volatile boolean stopping;
    private volatile boolean terminated;

    GroupCommitWriter(Env<ByteBuffer> env, WriteFailures failures, String threadName) {
        this.env = requireNonNull(env, "env is null");
        this.failures = requireNonNull(failures, "failures is null");
        this.thread = Thread.ofPlatform().name(requireNonNull(threadName, "threadName is null")).daemon(true)
                .unstarted(this::run);
        this.thread.setContextClassLoader(GroupCommitWriter.class.getClassLoader());
    }

    void start() {
        thread.start();
    }

    /** Runs {@code task} in the next group, waits for the commit and returns its result or throws its failure. */
    <T> T execute(Task<T> task) {
        Request<T> request = new Request<>(requireNonNull(task, "task is null"));
        if (stopping) {
            throw stopped();
        }
        PydbException brokenBy = broken;
        if (brokenBy != null) {
            throw refused(brokenBy);
        }
        queue.add(request);
        if (terminated && queue.remove(request)) {
            request.fail(stopped());
            request.finish();
        }
        return request.await();
    }

    /** Tasks waiting for the next group. */
    int queuedCount() {
        return queue.size();
    }

    /** Durable commits so far. */
    long commitCount() {
        return commits.get();
    }

    /** Tasks in groups whose commit succeeded so far (including tasks whose checks failed, which wrote nothing). */
    long committedTaskCount() {
        return committedTasks.get();
    }

    /** Lets the queued tasks finish, then stops the thread. Idempotent. */
    @Override
    public void close() {
        if (!stopping) {
            stopping = true;
            queue.add(stopMarker);
        }
        boolean interrupted = false;
        while (thread.isAlive() || thread.getState() == Thread.State.NEW) {
            if (thread.getState() == Thread.State.NEW) {
                terminated = true;
                failQueued();
                return;
            }
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        List<Request<?>> group = new ArrayList<>();
        int lastGroupSize = 1;
        try {
            boolean stop = false;
            while (!stop) {
                Request<?> first;
                try {
                    first = queue.take();
                } catch (InterruptedException e) {
                    continue;
                }
                group.add(first);
                awaitCallersOfTheLastGroup(lastGroupSize);
                queue.drainTo(group, MAX_GROUP_SIZE - 1);
                lastGroupSize = group.size();
                stop = group.remove(stopMarker);
                if (!group.isEmpty()) {
                    runGroup(group);
                    group.forEach(Request::finish);
                }
                group.clear();
            }
        } catch (Throwable t) {
            LOG.error("lmdb writer thread failed; writes fail until the server restarts", t);
            for (Request<?> request : group) {
                request.fail(new PydbException(ErrorCode.UNAVAILABLE, "the lmdb writer failed", t));
                request.finish();
            }
        } finally {
            stopping = true;
            terminated = true;
            failQueued();
        }
    }

    /**
     * The callers answered by the last commit usually come back with their next batch at once, but
     * on a busy machine they need CPU time to get there. Yielding (never sleeping) while fewer than
     * {@code lastGroupSize} batches are queued lets them join this group, which saves commits. The
     * wait is bounded by a quarter of the last commit's duration (at most 1 ms), so it costs less
     * than the commit it saves; a lone writer ({@code lastGroupSize} 1) never waits.
     */
    private void awaitCallersOfTheLastGroup(int lastGroupSize) {
        if (lastGroupSize <= 1) {
            return;
        }
        long deadline = System.nanoTime() + Math.min(lastCommitNanos / 4, MAX_GATHER_NANOS);
        for (int yields = 0; yields < lastGroupSize && queue.size() + 1 < lastGroupSize
                && System.nanoTime() < deadline; yields++) {
            Thread.yield();
        }
    }

    private void failQueued() {
        List<Request<?>> left = new ArrayList<>();
        queue.drainTo(left);
        for (Request<?> request : left) {
            if (request != stopMarker) {
                request.fail(stopped());
                request.finish();
            }
        }
    }

    /** Runs the group, setting every request's outcome; the caller answers them. */
    private void runGroup(List<Request<?>> group) {
        PydbException brokenBy = broken;
        if (brokenBy != null) {
            group.forEach(request -> request.fail(refused(brokenBy)));
            return;
        }
        try {
            commitTogether(group);
        } catch (RuntimeException | Error e) {
            if (failures.breaksStorage(e)) {
                PydbException answer = failures.answer(e);
                broken = answer;
                LOG.error("lmdb write transaction failed; the storage refuses writes until the server restarts", e);
                group.forEach(request -> request.fail(answer));
                return;
            }
            if (group.size() == 1) {
                group.get(0).fail(clientError(e));
                return;
            }
            LOG.info("a group of {} write batches failed as a whole ({}); committing them one by one",
                    group.size(), e.toString());
            for (Request<?> request : group) {
                runGroup(List.of(request));
            }
        }
    }

    private void commitTogether(List<Request<?>> group) {
        long start = System.nanoTime();
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            for (Request<?> request : group) {
                request.runIn(txn);
            }
            txn.commit();
        }
        lastCommitNanos = System.nanoTime() - start;
        commits.incrementAndGet();
        committedTasks.addAndGet(group.size());
    }

    /** What the caller of a task gets when applying it, or committing it alone, failed. */
    private PydbException clientError(Throwable cause) {
        PydbException answer = failures.answer(cause);
        if (answer.code() == ErrorCode.LIMIT_EXCEEDED) {
            LOG.warn("lmdb write transaction failed, nothing of it was applied: {}", answer.getMessage());
        } else if (answer != cause) {
            LOG.error("lmdb write transaction failed; nothing of it was applied", cause);
        }
        return answer;
    }

    private static PydbException refused(PydbException brokenBy) {
        return new PydbException(ErrorCode.UNAVAILABLE, "writes are refused since an earlier commit failed: "
                + brokenBy.getMessage(), brokenBy.getCause());
    }

    private static PydbException stopped() {
        return new PydbException(ErrorCode.UNAVAILABLE, "the lmdb writer is stopped");
    }

    /**
     * One caller's task, its outcome (set by the writer thread before {@link #finish()}) and the
     * caller's thread, which parks until the writer unparks it: one {@code unpark} per caller, no
     * future and no lock on the hand-off.
     */
    private static final class Request<T> {
        private final Task<T> task;
        private final Thread caller = Thread.currentThread();
        private T value;
        private RuntimeException failure;
        private volatile boolean done;

        Request(Task<T> task) {
            this.task = task;
        }

        /**
         * Checks the task and, if the checks pass, applies its writes to {@code txn}. A failed check
         * becomes this request's outcome; a failure while applying propagates: {@code txn} is then
         * half-written and must be aborted.
         */
        void runIn(Txn<ByteBuffer> txn) {
            PreparedWrite<T> prepared;
            try {
                prepared = task.prepare(txn);
            } catch (RuntimeException e) {
                fail(e);
                return;
            }
            value = prepared.apply(txn);
            failure = null;
        }

        void fail(RuntimeException e) {
            value = null;
            failure = e;
        }

        /** Publishes the outcome (the volatile write orders it) and wakes the caller. */
        void finish() {
            done = true;
            LockSupport.unpark(caller);
        }

        /** Parks until {@link #finish()}; interrupts do not end the wait (the write may be committed). */
        T await() {
            boolean interrupted = false;
            while (!done) {
                LockSupport.park(this);
                // park returns at once while the interrupt flag is set: clear it, restore it after
                interrupted |= Thread.interrupted();
            }
            if (interrupted) {
                caller.interrupt();
            }
            if (failure != null) {
                throw failure;
            }
            return value;
        }
    }
}
