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

    private final String threadName;
    private Thread thread;
    private boolean requested;
    private boolean stopping;

    /**
     * A checkpointer whose daemon thread will be named {@code threadName}. It takes requests at
     * once (so the log can be given {@link #request} before the checkpoint task exists) and runs
     * them once {@link #start}ed.
     */
    public Checkpointer(String threadName) {
        this.threadName = requireNonNull(threadName, "threadName is null");
    }

    /** Starts the thread that runs {@code checkpoint} for each (folded) request. Once. */
    public synchronized void start(Runnable checkpoint) {
        requireNonNull(checkpoint, "checkpoint is null");
        if (thread != null) {
            throw new IllegalStateException(threadName + " is started already");
        }
        thread = Thread.ofPlatform().name(threadName).daemon(true).unstarted(() -> run(checkpoint));
        thread.setContextClassLoader(checkpoint.getClass().getClassLoader());
        if (!stopping) {
            thread.start();
        }
    }

    /** Asks for a checkpoint soon; cheap, never blocks on a running checkpoint. */
    public synchronized void request() {
        requested = true;
        notifyAll();
    }

    /** Waits for a running checkpoint, then stops the thread (a pending request is dropped). Idempotent. */
    @Override
    public void close() {
        Thread running;
        synchronized (this) {
            stopping = true;
            notifyAll();
            running = thread;
        }
        boolean interrupted = false;
        while (running != null && running.isAlive()) {
            try {
                running.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run(Runnable checkpoint) {
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
