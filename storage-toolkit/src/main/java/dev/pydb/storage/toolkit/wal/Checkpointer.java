package dev.pydb.storage.toolkit.wal;

import static java.util.Objects.requireNonNull;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One platform thread that runs a backend's checkpoint when asked ({@link #request}), so that no
 * caller waits for it: requests made while a checkpoint runs are folded into one more run. A
 * platform thread (never a virtual one) because lmdb binds a write transaction to its OS thread.
 * The thread's context class loader is the one of the checkpoint task's class (the plugin's).
 */
public final class Checkpointer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Checkpointer.class);

    private final Runnable checkpoint;
    private final Thread thread;
    private boolean requested;
    private boolean stopping;

    /** A checkpointer running {@code checkpoint} on a daemon thread named {@code threadName}; {@link #start} it. */
    public Checkpointer(String threadName, Runnable checkpoint) {
        requireNonNull(threadName, "threadName is null");
        this.checkpoint = requireNonNull(checkpoint, "checkpoint is null");
        this.thread = Thread.ofPlatform().name(threadName).daemon(true).unstarted(this::run);
        this.thread.setContextClassLoader(checkpoint.getClass().getClassLoader());
    }

    public void start() {
        thread.start();
    }

    /** Asks for a checkpoint soon; cheap, never blocks on a running checkpoint. */
    public synchronized void request() {
        requested = true;
        notifyAll();
    }

    /** Waits for a running checkpoint, then stops the thread (a pending request is dropped). Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            stopping = true;
            notifyAll();
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
        while (awaitRequest()) {
            try {
                checkpoint.run();
            } catch (Throwable e) {
                LOG.error("checkpoint failed; the write-ahead log keeps every change, the next request retries", e);
            }
        }
    }

    private synchronized boolean awaitRequest() {
        while (!requested && !stopping) {
            try {
                wait();
            } catch (InterruptedException e) {
                // only close() stops this thread
            }
        }
        requested = false;
        return !stopping;
    }
}
