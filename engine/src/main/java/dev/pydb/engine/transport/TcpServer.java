package dev.pydb.engine.transport;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.engine.config.ServerConfig;
import dev.pydb.engine.session.Session;
import dev.pydb.engine.stats.ServerStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP server: listens on {@code server.host:server.port}, accepts on its own platform thread
 * (plain TCP, or TLS 1.2+ when {@code server.tls} is enabled) and serves each connection on a
 * virtual thread with a {@link ConnectionHandler}. It enforces
 * {@code max_connections} (one {@code UNAVAILABLE} error frame, then close) and stops gracefully.
 * Thread-safe.
 */
public final class TcpServer implements Transport {
    private static final Logger log = LoggerFactory.getLogger(TcpServer.class);
    private static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);
    private static final Duration FORCED_CLOSE_WAIT = Duration.ofSeconds(1);
    private static final long ACCEPT_FAILURE_BACKOFF_MILLIS = 50;
    private static final int MAX_BACKLOG = 1024;

    private enum State { NEW, RUNNING, STOPPED }

    private final ServerConfig config;
    private final RequestProcessor processor;
    private final ServerStats stats;
    private final Duration idleTimeout;
    private final Duration frameTimeout;
    private final Set<ConnectionHandler> connections = ConcurrentHashMap.newKeySet();
    private final ConnectionHandler.Listener listener;
    private final ServerTls tls;
    private final ConnectionMemory memory;

    private State state = State.NEW;
    private volatile boolean stopping;
    private ServerSocket serverSocket;
    private Thread acceptThread;

    public TcpServer(ServerConfig config, RequestProcessor processor, ServerStats stats) {
        this.config = requireNonNull(config, "config is null");
        this.processor = requireNonNull(processor, "processor is null");
        this.stats = requireNonNull(stats, "stats is null");
        requirePositive(config.maxConnections(), "server.max_connections");
        requirePositive(config.idleTimeoutSeconds(), "server.idle_timeout_seconds");
        requirePositive(config.frameTimeoutSeconds(), "server.frame_timeout_seconds");
        if (config.maxQueryLength() < 0) {
            throw new IllegalArgumentException("server.max_query_length must be >= 0, was " + config.maxQueryLength());
        }
        this.tls = config.tls().enabled() ? ServerTls.load(config.tls()) : null;
        this.idleTimeout = Duration.ofSeconds(config.idleTimeoutSeconds());
        this.frameTimeout = Duration.ofSeconds(config.frameTimeoutSeconds());
        this.memory = ConnectionMemory.create(config, stats);
        this.listener = new ConnectionHandler.Listener() {
            @Override
            public void opened(ConnectionHandler connection) {
                stats.connectionOpened();
            }

            @Override
            public void closed(ConnectionHandler connection) {
                connections.remove(connection);
                stats.connectionClosed();
            }
        };
    }

    /** Binds {@code host:port} (port 0: an ephemeral port) and starts accepting; returns once listening. */
    @Override
    public synchronized void start() {
        if (state != State.NEW) {
            throw new IllegalStateException("a server can be started only once (it is " + state + ")");
        }
        ServerSocket socket;
        try {
            socket = tls != null ? tls.newServerSocket() : new ServerSocket();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a server socket: " + e.getMessage(), e);
        }
        try {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(config.host(), config.port()),
                    Math.min(config.maxConnections(), MAX_BACKLOG));
        } catch (IOException | RuntimeException e) {
            try {
                socket.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new UncheckedIOException("cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(),
                    e instanceof IOException io ? io : new IOException(e));
        }
        serverSocket = socket;
        state = State.RUNNING;
        acceptThread = Thread.ofPlatform().name("pydb-accept-" + socket.getLocalPort()).start(this::acceptLoop);
        log.info("listening on {}:{} (tls={}, max_connections={}, max_query_length={}, max_unauthenticated_query_length={}, "
                        + "max_request_memory={})",
                config.host(), socket.getLocalPort(), tls != null ? "on, " + String.join("/", ServerTls.PROTOCOLS) : "off",
                config.maxConnections(), config.maxQueryLength(), config.maxUnauthenticatedQueryLength(),
                memory.budget().limit());
    }

    /** The bound port. */
    @Override
    public synchronized int port() {
        if (serverSocket == null) {
            throw new IllegalStateException("the server is not started");
        }
        return serverSocket.getLocalPort();
    }

    /**
     * Stops gracefully: stops accepting, lets every connection finish the requests it has
     * received and write their responses, closes the connections, and waits up to {@code grace}
     * for all of that; connections still open then are closed forcibly. Idempotent.
     */
    @Override
    public void stop(Duration grace) {
        requireNonNull(grace, "grace is null");
        ServerSocket listening;
        Thread accepting;
        synchronized (this) {
            if (state == State.STOPPED) {
                return;
            }
            boolean wasRunning = state == State.RUNNING;
            state = State.STOPPED;
            if (!wasRunning) {
                return;
            }
            stopping = true;
            listening = serverSocket;
            accepting = acceptThread;
        }
        long deadline = System.nanoTime() + grace.toNanos();
        log.info("stopping: {} open connection(s), grace {} ms", connections.size(), grace.toMillis());
        closeListeningSocket(listening);
        try {
            accepting.join(remaining(deadline).plus(FORCED_CLOSE_WAIT));
            List<ConnectionHandler> open = List.copyOf(connections);
            open.forEach(ConnectionHandler::requestStop);
            int forced = 0;
            for (ConnectionHandler connection : open) {
                if (!connection.awaitFinished(remaining(deadline))) {
                    connection.forceClose();
                    forced++;
                }
            }
            for (ConnectionHandler connection : open) {
                connection.awaitFinished(FORCED_CLOSE_WAIT);
            }
            if (forced > 0) {
                log.warn("stopped: {} connection(s) did not finish within the grace period and were closed", forced);
            } else {
                log.info("stopped");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            List.copyOf(connections).forEach(ConnectionHandler::forceClose);
            log.warn("interrupted while stopping; open connections were closed");
        }
    }

    /** {@link #stop(Duration) stop} with a 10 s grace period, if not stopped yet. */
    @Override
    public void close() {
        stop(DEFAULT_GRACE);
    }

    private void acceptLoop() {
        while (!stopping) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (stopping || serverSocket.isClosed()) {
                    return;
                }
                // For example too many open files: keep serving the connections we have.
                log.warn("accepting a connection failed: {}", e.toString());
                pauseAfterAcceptFailure();
                continue;
            }
            try {
                accept(socket);
            } catch (RuntimeException | Error e) {
                Sockets.closeQuietly(socket);
                log.error("could not start serving a connection", e);
            }
        }
    }

    private void accept(Socket socket) {
        if (stopping) {
            Sockets.closeQuietly(socket);
            return;
        }
        try {
            socket.setTcpNoDelay(true);
        } catch (SocketException e) {
            Sockets.closeQuietly(socket);
            return;
        }
        String remoteAddress = Sockets.remoteAddress(socket);
        // Only this thread adds connections, so the count cannot grow between check and add.
        if (connections.size() >= config.maxConnections()) {
            stats.connectionRefused();
            log.warn("refused connection from {}: too many connections (max_connections={})",
                    remoteAddress, config.maxConnections());
            byte[] refusal = ErrorFrames.body(ErrorCode.UNAVAILABLE,
                    "too many connections (max_connections=" + config.maxConnections() + ")");
            Thread.ofVirtual().name("pydb-refuse").start(() -> Sockets.refuse(socket, refusal));
            return;
        }
        ConnectionHandler connection = new ConnectionHandler(socket, new Session(remoteAddress), processor,
                config.maxQueryLength(), config.maxUnauthenticatedQueryLength(), idleTimeout, frameTimeout, listener,
                memory);
        connections.add(connection);
        try {
            Thread.ofVirtual().name("pydb-session-" + connection.session().id()).start(connection);
        } catch (RuntimeException | Error e) {
            connections.remove(connection);
            throw e;
        }
    }

    private static void closeListeningSocket(ServerSocket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("closing the listening socket: {}", e.toString());
        }
    }

    private static void pauseAfterAcceptFailure() {
        try {
            TimeUnit.MILLISECONDS.sleep(ACCEPT_FAILURE_BACKOFF_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    private static void requirePositive(int value, String key) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be > 0, was " + value);
        }
    }
}
