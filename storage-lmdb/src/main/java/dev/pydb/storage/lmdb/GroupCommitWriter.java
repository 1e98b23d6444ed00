package dev.pydb.storage.lmdb;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.lmdbjava.Env;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one platform thread that runs every LMDB write transaction (LMDB binds a write transaction
 * to the OS thread that began it, so never a virtual thread).
 *
 * <p>Group commit: the thread takes every task waiting in its queue (up to
 * {@link #MAX_GROUP_SIZE}) and runs them in one write transaction, each in its own nested
 * transaction, so a task that fails is rolled back alone while the others stay. One durable commit
 * then covers the whole group, and only after it returns are the callers answered.
 *
 * <p>If the group does not fit in the map ({@code MDB_MAP_FULL}) or in one transaction
 * ({@code MDB_TXN_FULL}), the whole transaction is aborted and the tasks are run again one per
 * transaction, so only the tasks that do not fit on their own fail, with {@code LIMIT_EXCEEDED}.
 * Nothing of a failed task is ever applied.
 */
final class GroupCommitWriter implements AutoCloseable {
    /** The work of one caller, run inside a (nested) write transaction it must not commit or close. */
    @FunctionalInterface
    interface Task<T> {
        T apply(Txn<ByteBuffer> txn);
    }

    static final int MAX_GROUP_SIZE = 256;
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitWriter.class);

    private final Env<ByteBuffer> env;
    private final long mapSizeBytes;
    private final BlockingQueue<Request<?>> queue = new LinkedBlockingQueue<>();
    private final Request<Void> stopMarker = new Request<>(txn -> null);
    private final Thread thread;
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong committedTasks = new AtomicLong();
    private volatile boolean stopping;
    private volatile boolean terminated;

    GroupCommitWriter(Env<ByteBuffer> env, long mapSizeBytes, String threadName) {
        this.env = requireNonNull(env, "env is null");
        this.mapSizeBytes = mapSizeBytes;
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

    /** Tasks whose commit succeeded so far (including those that failed on their own and were rolled back). */
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
                queue.drainTo(group, MAX_GROUP_SIZE - 1);
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
        try {
            commitTogether(group);
        } catch (Env.MapFullException | Txn.TxFullException e) {
            if (group.size() == 1) {
                group.get(0).fail(tooLarge(e));
                return;
            }
            LOG.info("a group of {} write batches does not fit in one transaction ({}); committing them one by one",
                    group.size(), e.getClass().getSimpleName());
            for (Request<?> request : group) {
                runGroup(List.of(request));
            }
        } catch (RuntimeException | Error e) {
            LOG.error("lmdb write transaction of {} batches failed; none of them was applied", group.size(), e);
            for (Request<?> request : group) {
                request.fail(new PydbException(ErrorCode.UNAVAILABLE, "storage write failed: " + e.getMessage(), e));
            }
        }
    }

    private void commitTogether(List<Request<?>> group) {
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            for (Request<?> request : group) {
                request.runNestedIn(env, txn);
            }
            txn.commit();
        }
        commits.incrementAndGet();
        committedTasks.addAndGet(group.size());
    }

    private PydbException tooLarge(LmdbException cause) {
        if (cause instanceof Env.MapFullException) {
            return new PydbException(ErrorCode.LIMIT_EXCEEDED, "storage full: map_size_bytes=" + mapSizeBytes
                    + "; raise storage.options.map_size_bytes", cause);
        }
        return new PydbException(ErrorCode.LIMIT_EXCEEDED,
                "the write is too large for one lmdb transaction; split it into smaller batches", cause);
    }

    private static PydbException stopped() {
        return new PydbException(ErrorCode.UNAVAILABLE, "the lmdb writer is stopped");
    }

    /** One caller's task, its outcome (set and read by the writer thread) and the future it waits on. */
    private static final class Request<T> {
        private final Task<T> task;
        private final CompletableFuture<T> future = new CompletableFuture<>();
        private T value;
        private RuntimeException failure;

        Request(Task<T> task) {
            this.task = task;
        }

        /**
         * Runs the task in a transaction nested in {@code parent}: committed into the parent if the
         * task succeeds, aborted if it throws. Map/transaction-full errors abort the whole group.
         */
        void runNestedIn(Env<ByteBuffer> env, Txn<ByteBuffer> parent) {
            try (Txn<ByteBuffer> nested = env.txn(parent)) {
                T result = task.apply(nested);
                nested.commit();
                value = result;
                failure = null;
            } catch (Env.MapFullException | Txn.TxFullException e) {
                throw e;
            } catch (RuntimeException e) {
                value = null;
                failure = e;
            }
        }

        void fail(RuntimeException e) {
            value = null;
            failure = e;
        }

        /** Answers the caller with the outcome. */
        void finish() {
            if (failure != null) {
                future.completeExceptionally(failure);
            } else {
                future.complete(value);
            }
        }

        T await() {
            try {
                return future.join();
            } catch (CompletionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException runtime) {
                    throw runtime;
                }
                if (cause instanceof Error error) {
                    throw error;
                }
                throw e;
            }
        }
    }
}
