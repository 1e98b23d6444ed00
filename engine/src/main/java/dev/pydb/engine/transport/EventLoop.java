package dev.pydb.engine.transport;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One event loop of the {@link NioTcpServer}: a platform thread with its own {@link Selector}
 * that serves its share of the connections. It reads into one buffer shared by its connections,
 * runs tasks other threads hand it ({@link #execute}: new connections, responses from workers),
 * starts workers for requests that may block, and checks timeouts a few times a second.
 */
final class EventLoop implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(EventLoop.class);
    private static final int READ_BUFFER_BYTES = 64 * 1024;
    private static final long TIMEOUT_CHECK_MILLIS = 100;

    private final Selector selector;
    private final ThreadFactory workers;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
    /** This loop's connections; a worker may remove one it closes. */
    private final Set<NioConnection> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean running = true;
    private long nextTimeoutCheck;

    EventLoop(ThreadFactory workers) {
        this.workers = requireNonNull(workers, "workers is null");
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector: " + e.getMessage(), e);
        }
    }

    /** Runs {@code task} on this loop's thread, soon. Any thread. */
    void execute(Runnable task) {
        tasks.add(task);
        if (wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    /** Registers a new connection's channel (blocking mode still) with this loop. Any thread. */
    void register(SocketChannel channel, NioConnection connection) {
        execute(() -> {
            try {
                channel.configureBlocking(false);
                SelectionKey key = channel.register(selector, SelectionKey.OP_READ, connection);
                connection.open(key, System.nanoTime());
                connections.add(connection);
            } catch (IOException | RuntimeException e) {
                log.warn("cannot serve a connection from {}: {}", connection.session().remoteAddress(), e.toString());
                connection.close(CloseReason.IO_ERROR);
            }
        });
    }

    /** Runs {@code request} on a worker thread and hands the response back to the connection on this loop. */
    void offload(NioConnection connection, PreparedRequest request) {
        workers.newThread(() -> {
            byte[] response = NioConnection.execute(request, connection.session());
            try {
                connection.completedOnWorker(response);
            } catch (RuntimeException e) {
                log.error("session {}: unexpected failure, closing the connection", connection.session().id(), e);
                connection.close(CloseReason.INTERNAL_ERROR);
            }
        }).start();
    }

    /** Asks every connection of this loop to finish gracefully. Any thread. */
    void requestStop() {
        execute(() -> List.copyOf(connections).forEach(c -> guarded(c, c::requestStop)));
    }

    /** Closes every connection of this loop now. Any thread. */
    void forceClose() {
        execute(() -> List.copyOf(connections).forEach(c -> c.close(CloseReason.SERVER_STOPPING)));
    }

    /** Ends the loop: open connections are closed, the selector too. Any thread. */
    void shutdown() {
        running = false;
        selector.wakeup();
    }

    @Override
    public void run() {
        try {
            while (running) {
                selector.select(this::handle, TIMEOUT_CHECK_MILLIS);
                wakeupPending.set(false);
                runTasks();
                long now = System.nanoTime();
                if (now - nextTimeoutCheck >= 0) {
                    nextTimeoutCheck = now + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_CHECK_MILLIS);
                    checkTimeouts(now);
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            log.error("event loop failed; closing its connections", e);
        } finally {
            runTasks();
            List.copyOf(connections).forEach(c -> c.close(CloseReason.SERVER_STOPPING));
            try {
                selector.close();
            } catch (IOException e) {
                log.debug("closing a selector: {}", e.toString());
            }
        }
    }

    /** The read buffer this loop's connections share; only on the loop thread. */
    ByteBuffer readBuffer() {
        return readBuffer;
    }

    /** Forgets a closed connection. Any thread. */
    void closed(NioConnection connection) {
        connections.remove(connection);
    }

    private void handle(SelectionKey key) {
        NioConnection connection = (NioConnection) key.attachment();
        try {
            if (key.isValid()) {
                connection.ready(key.readyOps(), readBuffer);
            }
        } catch (RuntimeException e) {
            log.error("session {}: unexpected failure, closing the connection", connection.session().id(), e);
            connection.close(CloseReason.INTERNAL_ERROR);
        }
    }

    /** Runs {@code work} for {@code connection}; a failure closes only that connection. */
    private static void guarded(NioConnection connection, Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            log.error("session {}: unexpected failure, closing the connection", connection.session().id(), e);
            connection.close(CloseReason.INTERNAL_ERROR);
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("an event loop task failed", e);
            }
        }
    }

    private void checkTimeouts(long now) {
        if (connections.isEmpty()) {
            return;
        }
        List<NioConnection> snapshot = new ArrayList<>(connections);
        for (NioConnection connection : snapshot) {
            guarded(connection, () -> connection.checkTimeouts(now));
        }
    }
}
