package dev.pydb.engine.transport;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.engine.config.ServerConfig;
import dev.pydb.engine.session.Session;
import dev.pydb.engine.stats.ServerStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP server on NIO event loops, plain or TLS ({@code server.tls}; TLS runs in the loop as a
 * {@link TlsChannel} stage of each connection): an acceptor thread hands accepted connections
 * round-robin to a few {@link EventLoop}s (platform threads, one selector each; by default one per
 * processor). A loop decodes frames and runs the requests that cannot block itself; requests that
 * may block (writes waiting for a commit, LOGIN's password hashing, plugin actions) run on virtual
 * worker threads, and the connection waits for them before it decodes its next frame, so each
 * connection's requests are answered in order. It enforces {@code max_connections} (one
 * {@code UNAVAILABLE} error frame, then close), the idle and frame timeouts (the frame timeout
 * bounds a TLS handshake too), the pre-authentication frame limit, and stops gracefully.
 * Thread-safe.
 */
public final class NioTcpServer implements Transport {
    private static final Logger log = LoggerFactory.getLogger(NioTcpServer.class);
    private static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);
    private static final Duration FORCED_CLOSE_WAIT = Duration.ofSeconds(1);
    private static final long ACCEPT_FAILURE_BACKOFF_MILLIS = 50;
    private static final int MAX_BACKLOG = 1024;
    /** A refused TLS connection is closed after this long at the latest, even if it trickles its handshake. */
    private static final long REFUSAL_MAX_MILLIS = 3 * Sockets.LINGER_MILLIS;

    private enum State { NEW, RUNNING, STOPPED }

    private final ServerConfig config;
    private final RequestProcessor processor;
    private final ServerStats stats;
    private final int eventLoopCount;
    private final long idleTimeoutNanos;
    private final long frameTimeoutNanos;
    private final long preAuthTimeoutNanos;
    private final PreAuthSlots preAuthSlots;
    private final Set<NioConnection> connections = ConcurrentHashMap.newKeySet();
    private final NioConnection.Listener listener;
    /** The listener's TLS, or null for plain TCP. */
    private final ServerTls tls;

    private State state = State.NEW;
    private volatile boolean stopping;
    private ServerSocketChannel serverChannel;
    private Thread acceptThread;
    private List<EventLoop> loops = List.of();
    private List<Thread> loopThreads = List.of();
    private int nextLoop;

    /** A server with one event loop per available processor. */
    public NioTcpServer(ServerConfig config, RequestProcessor processor, ServerStats stats) {
        this(config, processor, stats, Runtime.getRuntime().availableProcessors());
    }

    public NioTcpServer(ServerConfig config, RequestProcessor processor, ServerStats stats, int eventLoops) {
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
        this.eventLoopCount = Math.max(1, eventLoops);
        this.idleTimeoutNanos = TimeUnit.SECONDS.toNanos(config.idleTimeoutSeconds());
        this.frameTimeoutNanos = TimeUnit.SECONDS.toNanos(config.frameTimeoutSeconds());
        this.preAuthTimeoutNanos = TimeUnit.SECONDS.toNanos(config.preAuth().timeoutSeconds());
        this.preAuthSlots = new PreAuthSlots(config.preAuth());
        this.listener = new NioConnection.Listener() {
            @Override
            public void opened(NioConnection connection) {
                stats.connectionOpened();
            }

            @Override
            public void closed(NioConnection connection) {
                connections.remove(connection);
                if (connection.opened()) {
                    stats.connectionClosed();
                }
            }
        };
    }

    /** Binds {@code host:port} (port 0: an ephemeral port), starts the loops and accepting; returns once listening. */
    @Override
    public synchronized void start() {
        if (state != State.NEW) {
            throw new IllegalStateException("a server can be started only once (it is " + state + ")");
        }
        ServerSocketChannel channel;
        try {
            channel = ServerSocketChannel.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a server socket: " + e.getMessage(), e);
        }
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.bind(new InetSocketAddress(config.host(), config.port()), Math.min(config.maxConnections(), MAX_BACKLOG));
        } catch (IOException | RuntimeException e) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new UncheckedIOException("cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(),
                    e instanceof IOException io ? io : new IOException(e));
        }
        int port = channel.socket().getLocalPort();
        ThreadFactory workers = Thread.ofVirtual().name("pydb-worker-", 0).factory();
        List<EventLoop> newLoops = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < eventLoopCount; i++) {
            EventLoop loop = new EventLoop(workers);
            newLoops.add(loop);
            threads.add(Thread.ofPlatform().name("pydb-loop-" + port + "-" + i).start(loop));
        }
        loops = List.copyOf(newLoops);
        loopThreads = List.copyOf(threads);
        serverChannel = channel;
        state = State.RUNNING;
        acceptThread = Thread.ofPlatform().name("pydb-accept-" + port).start(this::acceptLoop);
        log.info("listening on {}:{} (nio, event_loops={}, tls={}, max_connections={}, max_query_length={}, "
                        + "max_unauthenticated_query_length={}, max_unauthenticated_connections={} ({} per address), "
                        + "unauthenticated_timeout_seconds={})", config.host(), port, eventLoopCount,
                tls == null ? "off" : "on (" + String.join(", ", ServerTls.PROTOCOLS) + ")",
                config.maxConnections(), config.maxQueryLength(), config.maxUnauthenticatedQueryLength(),
                config.preAuth().maxConnections(), config.preAuth().maxConnectionsPerAddress(),
                config.preAuth().timeoutSeconds());
    }

    /** The bound port. */
    @Override
    public synchronized int port() {
        if (serverChannel == null) {
            throw new IllegalStateException("the server is not started");
        }
        return serverChannel.socket().getLocalPort();
    }

    /**
     * Stops gracefully: stops accepting, lets every connection finish the requests it has
     * received and write their responses, closes the connections, and waits up to {@code grace}
     * for all of that; connections still open then are closed forcibly. Idempotent.
     */
    @Override
    public void stop(Duration grace) {
        requireNonNull(grace, "grace is null");
        ServerSocketChannel listening;
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
            listening = serverChannel;
            accepting = acceptThread;
        }
        long deadline = System.nanoTime() + grace.toNanos();
        log.info("stopping: {} open connection(s), grace {} ms", connections.size(), grace.toMillis());
        closeQuietly(listening);
        try {
            accepting.join(remaining(deadline).plus(FORCED_CLOSE_WAIT));
            loops.forEach(EventLoop::requestStop);
            int forced = 0;
            for (NioConnection connection : List.copyOf(connections)) {
                if (!connection.awaitClosed(remaining(deadline).toNanos(), TimeUnit.NANOSECONDS)) {
                    forced++;
                }
            }
            if (forced > 0) {
                loops.forEach(EventLoop::forceClose);
                for (NioConnection connection : List.copyOf(connections)) {
                    connection.awaitClosed(FORCED_CLOSE_WAIT.toNanos(), TimeUnit.NANOSECONDS);
                }
                log.warn("stopped: {} connection(s) did not finish within the grace period and were closed", forced);
            } else {
                log.info("stopped");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("interrupted while stopping; open connections are closed");
        } finally {
            loops.forEach(EventLoop::shutdown);
            for (Thread thread : loopThreads) {
                try {
                    thread.join(FORCED_CLOSE_WAIT);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
    }

    /** {@link #stop(Duration) stop} with a 10 s grace period, if not stopped yet. */
    @Override
    public void close() {
        stop(DEFAULT_GRACE);
    }

    private void acceptLoop() {
        while (!stopping) {
            SocketChannel channel;
            try {
                channel = serverChannel.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (stopping || !serverChannel.isOpen()) {
                    return;
                }
                // For example too many open files: keep serving the connections we have.
                log.warn("accepting a connection failed: {}", e.toString());
                pauseAfterAcceptFailure();
                continue;
            }
            try {
                accept(channel);
            } catch (RuntimeException | Error e) {
                closeQuietly(channel);
                log.error("could not start serving a connection", e);
            }
        }
    }

    private void accept(SocketChannel channel) {
        if (stopping) {
            closeQuietly(channel);
            return;
        }
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        } catch (IOException e) {
            closeQuietly(channel);
            return;
        }
        String remoteAddress = Sockets.remoteAddress(channel.socket());
        // Only this thread adds connections, so the count cannot grow between check and add.
        if (connections.size() >= config.maxConnections()) {
            stats.connectionRefused();
            log.warn("refused connection from {}: too many connections (max_connections={})",
                    remoteAddress, config.maxConnections());
            byte[] refusal = ErrorFrames.body(ErrorCode.UNAVAILABLE,
                    "too many connections (max_connections=" + config.maxConnections() + ")");
            Thread.ofVirtual().name("pydb-refuse").start(() -> refuse(channel, refusal));
            return;
        }
        PreAuthSlots.Admission admission = preAuthSlots.admit(channel.socket().getRemoteSocketAddress(), remoteAddress);
        if (admission.slot() == null) {
            stats.connectionRefused();
            byte[] refusal = ErrorFrames.body(ErrorCode.UNAVAILABLE, admission.refusal());
            Thread.ofVirtual().name("pydb-refuse").start(() -> refuse(channel, refusal));
            return;
        }
        EventLoop loop = loops.get(nextLoop);
        nextLoop = (nextLoop + 1) % loops.size();
        ConnectionChannel stream = tls == null ? new PlainChannel(channel) : new TlsChannel(channel, tls.newEngine());
        NioConnection connection = new NioConnection(channel, stream, new Session(remoteAddress), loop, processor,
                config.maxQueryLength(), config.maxUnauthenticatedQueryLength(), idleTimeoutNanos, frameTimeoutNanos,
                preAuthTimeoutNanos, admission.slot(), listener);
        try {
            connections.add(connection);
            loop.register(channel, connection);
        } catch (RuntimeException | Error e) {
            connections.remove(connection);
            admission.slot().release();
            throw e;
        }
    }

    /** The refusal frame over a blocking socket (in TLS when the listener speaks it); up to about a second. */
    private void refuse(SocketChannel channel, byte[] refusal) {
        // The socket read timeout restarts with every byte: a client trickling its TLS handshake is cut off here.
        Thread cutOff = tls == null ? null : Thread.ofVirtual().name("pydb-refuse-cutoff").start(() -> {
            try {
                TimeUnit.MILLISECONDS.sleep(REFUSAL_MAX_MILLIS);
                closeQuietly(channel);
            } catch (InterruptedException e) {
                // The refusal ended in time.
            }
        });
        try {
            Sockets.refuse(tls == null ? channel.socket() : tls.serverSocketOver(channel.socket()), refusal);
        } catch (IOException e) {
            closeQuietly(channel);
        } finally {
            if (cutOff != null) {
                cutOff.interrupt();
            }
        }
    }

    private static void closeQuietly(java.nio.channels.Channel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing a channel: {}", e.toString());
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
