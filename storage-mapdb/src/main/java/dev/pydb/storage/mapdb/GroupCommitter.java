package dev.pydb.storage.mapdb;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.StorageClosedException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: one platform thread takes the write requests of all callers from a queue,
 * applies as many as are waiting (up to {@code maxBatch}) and ends them with a single
 * {@link Transaction#commit()}, then answers every caller. A caller returns only after the
 * commit that holds its write. A request that fails validation is answered with its exception
 * and changes nothing; if applying or committing fails, the whole group is rolled back and every
 * caller in it gets the commit's {@link PydbException} (e.g. {@code LIMIT_EXCEEDED} for a full
 * disk), or {@code UNAVAILABLE} for any other exception.
 *
 * <p>The committer holds {@code writeLock} while it applies and commits, so readers holding the
 * matching read lock see only committed, whole requests.
 */
final class GroupCommitter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);
    private static final long MAX_GATHER_NANOS = 1_000_000;

    private final String storageName;
    private final Transaction transaction;
    private final Lock writeLock;
    private final int maxBatch;
    private final BlockingQueue<Request<?>> queue = new LinkedBlockingQueue<>();
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final AtomicLong commits = new AtomicLong();
    private final Thread thread;
    private boolean accepting = true;
    /** Duration of the last group's apply and commit; written and read by the committer thread only. */
    private long lastCommitNanos;

    GroupCommitter(String storageName, Transaction transaction, Lock writeLock, int maxBatch) {
        this.storageName = requireNonNull(storageName, "storageName is null");
        this.transaction = requireNonNull(transaction, "transaction is null");
        this.writeLock = requireNonNull(writeLock, "writeLock is null");
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, was " + maxBatch);
        }
        this.maxBatch = maxBatch;
        this.thread = Thread.ofPlatform().name("pydb-" + storageName + "-committer").daemon(true).unstarted(this::run);
        thread.start();
    }

    /**
     * Queues the mutation and waits until it is committed; returns its result or throws its
     * exception. {@link StorageClosedException} once {@link #close()} has begun.
     */
    <R> R execute(Mutation<R> mutation) {
        Request<R> request = new Request<>(requireNonNull(mutation, "mutation is null"));
        lifecycle.readLock().lock();
        try {
            if (!accepting) {
                throw new StorageClosedException(storageName);
            }
            queue.add(request);
        } finally {
            lifecycle.readLock().unlock();
        }
        try {
            return request.future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** How many commits the committer has made; for statistics and tests. */
    long commits() {
        return commits.get();
    }

    /** How many requests wait for the committer; for tests. */
    int queued() {
        return queue.size();
    }

    /** Stops accepting requests, commits every queued one, and stops the thread. Idempotent. */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (accepting) {
                accepting = false;
                queue.add(Request.STOP);
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
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
        boolean stop = false;
        int lastGroupSize = 1;
        while (!stop) {
            group.clear();
            try {
                group.add(queue.take());
            } catch (InterruptedException e) {
                continue;
            }
            awaitCallersOfTheLastGroup(lastGroupSize);
            queue.drainTo(group, maxBatch - 1);
            lastGroupSize = group.size();
            stop = group.remove(Request.STOP);
            if (!group.isEmpty()) {
                long start = System.nanoTime();
                commitGroup(group);
                lastCommitNanos = System.nanoTime() - start;
            }
        }
        log.debug("committer of storage '{}' stopped after {} commits", storageName, commits.get());
    }

    /**
     * The callers answered by the last commit usually come back with their next request at once,
     * but on a busy machine they need CPU time to get there. Yielding (never sleeping) while fewer
     * than {@code lastGroupSize} requests are queued lets them join this group, which saves
     * commits. The wait is bounded by a quarter of the last commit's duration (at most 1 ms), so
     * it costs less than the commit it saves; a lone writer ({@code lastGroupSize} 1) never waits.
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

    private void commitGroup(List<Request<?>> group) {
        List<Request<?>> applied = new ArrayList<>(group.size());
        writeLock.lock();
        try {
            transaction.checkWritable();
        } catch (RuntimeException e) {
            writeLock.unlock();
            group.forEach(request -> request.future.completeExceptionally(e));
            return;
        }
        try {
            for (Request<?> request : group) {
                try {
                    request.prepare();
                } catch (RuntimeException | Error e) {
                    request.future.completeExceptionally(e);
                    continue;
                }
                applied.add(request);
                request.apply();
            }
            if (!applied.isEmpty()) {
                transaction.commit();
                commits.incrementAndGet();
            }
        } catch (RuntimeException | Error e) {
            if (e instanceof PydbException answer && answer.code() == ErrorCode.LIMIT_EXCEEDED) {
                log.debug("storage '{}': a group of {} writes failed: {}", storageName, applied.size(), answer.getMessage());
            } else {
                log.error("storage '{}': applying or committing a group of {} writes failed; rolling it back", storageName,
                        applied.size(), e);
            }
            rollbackQuietly();
            PydbException failure = e instanceof PydbException answer ? answer : new PydbException(ErrorCode.UNAVAILABLE,
                    "storage '" + storageName + "' failed to commit the write; it was not applied", e);
            applied.forEach(request -> request.future.completeExceptionally(failure));
            return;
        } finally {
            writeLock.unlock();
        }
        applied.forEach(Request::complete);
    }

    private void rollbackQuietly() {
        try {
            transaction.rollback();
        } catch (RuntimeException | Error e) {
            log.error("storage '{}': rollback failed", storageName, e);
        }
    }

    private static final class Request<R> {
        static final Request<Void> STOP = new Request<>(() -> () -> null);

        final CompletableFuture<R> future = new CompletableFuture<>();
        private final Mutation<R> mutation;
        private Supplier<R> prepared;
        private R result;

        Request(Mutation<R> mutation) {
            this.mutation = mutation;
        }

        void prepare() {
            prepared = requireNonNull(mutation.prepare(), "prepared mutation is null");
        }

        void apply() {
            result = prepared.get();
        }

        void complete() {
            future.complete(result);
        }
    }
}
