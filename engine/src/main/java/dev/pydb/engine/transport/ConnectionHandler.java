package dev.pydb.engine.transport;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.engine.codec.DecodeResult;
import dev.pydb.engine.codec.FrameDecoder;
import dev.pydb.engine.codec.FrameEncoder;
import dev.pydb.engine.codec.FrameError;
import dev.pydb.engine.session.Session;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one client connection with blocking I/O on its own (virtual) thread: read bytes, decode
 * frames, hand each body to the {@link RequestProcessor}, write the responses in request order.
 * This is the only place that reads or writes a client socket, so the I/O model can change
 * without touching the codec or the processor.
 *
 * <p>Responses to requests that arrived together are batched into one flush. Output is not
 * buffered beyond the socket: if a client sends requests but never reads the responses, the
 * blocking write stalls this connection's thread once the socket buffers are full (nothing else
 * is affected, and a stop's grace period force-closes it).
 */
final class ConnectionHandler implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ConnectionHandler.class);
    private static final int READ_BUFFER_BYTES = 64 * 1024;
    private static final int WRITE_BUFFER_BYTES = 64 * 1024;

    private final Socket socket;
    private final Session session;
    private final RequestProcessor processor;
    private final int maxQueryLength;
    private final int maxUnauthenticatedQueryLength;
    private final long idleTimeoutNanos;
    private final long frameTimeoutNanos;
    private final long preAuthTimeoutNanos;
    private final PreAuthSlots.Slot preAuthSlot;
    private final Listener listener;
    private final CountDownLatch finished = new CountDownLatch(1);

    private volatile boolean stopRequested;
    /** When the current handshake or read must be over (checked by the server's watchdog), or null. */
    private volatile Deadline deadline;
    /** Set by the watchdog before it closes the socket: why the connection ends. */
    private volatile CloseReason timedOut;
    private long requestsServed;

    /** Told when the connection starts and ends, for bookkeeping (statistics, the set of open connections). */
    interface Listener {
        void opened(ConnectionHandler connection);

        void closed(ConnectionHandler connection);
    }

    ConnectionHandler(Socket socket, Session session, RequestProcessor processor, int maxQueryLength,
                      int maxUnauthenticatedQueryLength, Duration idleTimeout, Duration frameTimeout,
                      Duration preAuthTimeout, PreAuthSlots.Slot preAuthSlot, Listener listener) {
        this.socket = requireNonNull(socket, "socket is null");
        this.session = requireNonNull(session, "session is null");
        this.processor = requireNonNull(processor, "processor is null");
        this.maxQueryLength = maxQueryLength;
        this.maxUnauthenticatedQueryLength = maxUnauthenticatedQueryLength;
        this.idleTimeoutNanos = idleTimeout.toNanos();
        this.frameTimeoutNanos = frameTimeout.toNanos();
        this.preAuthTimeoutNanos = preAuthTimeout.toNanos();
        this.preAuthSlot = requireNonNull(preAuthSlot, "preAuthSlot is null");
        this.listener = requireNonNull(listener, "listener is null");
    }

    Session session() {
        return session;
    }

    @Override
    public void run() {
        long startedAt = System.nanoTime();
        CloseReason reason = CloseReason.INTERNAL_ERROR;
        listener.opened(this);
        log.info("connection opened: session={} remote={}", session.id(), session.remoteAddress());
        try {
            reason = serve();
        } catch (IOException e) {
            CloseReason deadlinePassed = timedOut;
            reason = stopRequested ? CloseReason.SERVER_STOPPING : deadlinePassed != null ? deadlinePassed : CloseReason.IO_ERROR;
            log.debug("session {}: {}", session.id(), e.toString());
        } catch (RuntimeException | Error e) {
            log.error("session {}: unexpected failure in the connection loop, closing it", session.id(), e);
        } finally {
            deadline = null;
            preAuthSlot.release();
            Sockets.closeQuietly(socket);
            log.info("connection closed: session={} remote={} requests={} duration={}ms reason={}",
                    session.id(), session.remoteAddress(), requestsServed,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt), reason);
            listener.closed(this);
            finished.countDown();
        }
    }

    /**
     * Asks the connection to end gracefully: no more input is read (a blocked read sees end of
     * stream), requests already received are answered, then the socket is closed.
     */
    void requestStop() {
        stopRequested = true;
        try {
            socket.shutdownInput();
        } catch (IOException e) {
            // Already closed: the loop ends by itself.
        }
    }

    /** Closes the socket now; a blocked read or write fails and the loop ends. */
    void forceClose() {
        Sockets.closeQuietly(socket);
    }

    /**
     * Closes the connection if its current handshake or read has passed its deadline. Called by
     * the server's watchdog a few times a second: a socket read timeout alone does not bound a
     * client that sends one byte just before each timeout (a trickled TLS handshake or record).
     */
    void checkDeadline(long now) {
        Deadline current = deadline;
        if (current != null && now - current.at() >= 0) {
            timedOut = current.reason();
            forceClose();
        }
    }

    private record Deadline(long at, CloseReason reason) {}

    /** Waits until the connection loop has ended; true if it did within {@code timeout}. */
    boolean awaitFinished(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private CloseReason serve() throws IOException {
        if (socket instanceof SSLSocket tls) {
            // The whole handshake, however slowly its bytes come, must finish within the frame timeout
            // (and, as it comes before authentication, within unauthenticated_timeout_seconds).
            long handshakeNanos = Math.min(frameTimeoutNanos, preAuthTimeoutNanos);
            deadline = new Deadline(System.nanoTime() + handshakeNanos, CloseReason.TLS_HANDSHAKE_TIMEOUT);
            socket.setSoTimeout(toSoTimeoutMillis(handshakeNanos));
            try {
                tls.startHandshake();
            } catch (SocketTimeoutException e) {
                return CloseReason.TLS_HANDSHAKE_TIMEOUT;
            } catch (SSLException e) {
                if (timedOut != null) {
                    return timedOut;
                }
                log.debug("session {}: TLS handshake failed: {}", session.id(), e.toString());
                return CloseReason.TLS_HANDSHAKE_FAILED;
            } finally {
                deadline = null;
            }
        }
        InputStream in = socket.getInputStream();
        OutputStream out = new BufferedOutputStream(socket.getOutputStream(), WRITE_BUFFER_BYTES);
        FrameDecoder decoder = new FrameDecoder(maxQueryLength);
        byte[] readBuffer = new byte[READ_BUFFER_BYTES];
        ByteBuffer input = ByteBuffer.allocate(0);
        boolean unflushed = false;
        long frameDeadline = 0;
        boolean frameStarted = false;
        while (true) {
            applyFrameLimit(decoder);
            DecodeResult result = decoder.decode(input);
            switch (result) {
                case DecodeResult.Frame frame -> {
                    frameStarted = false;
                    byte[] response = process(frame.body());
                    if (response == null) {
                        out.flush();
                        return CloseReason.PROCESSOR_FAILED;
                    }
                    if (session.authenticated()) {
                        // Logged in: no longer counted against the pre-authentication limits.
                        preAuthSlot.release();
                    }
                    FrameEncoder.writeTo(out, response);
                    requestsServed++;
                    unflushed = true;
                    continue;
                }
                case DecodeResult.Failed failed -> {
                    return closeWithFramingError(out, failed.error());
                }
                case DecodeResult.NeedMoreInput ignored -> {
                    // All received bytes are consumed: read more below.
                }
            }
            if (unflushed && in.available() == 0) {
                out.flush();
                unflushed = false;
            }
            long now = System.nanoTime();
            boolean preAuth = !session.authenticated();
            long timeoutNanos;
            CloseReason onTimeout;
            if (decoder.inFrame()) {
                if (!frameStarted) {
                    frameStarted = true;
                    frameDeadline = now + (preAuth ? Math.min(frameTimeoutNanos, preAuthTimeoutNanos) : frameTimeoutNanos);
                }
                timeoutNanos = frameDeadline - now;
                onTimeout = CloseReason.FRAME_TIMEOUT;
                if (timeoutNanos <= 0) {
                    return onTimeout;
                }
            } else {
                timeoutNanos = preAuth ? preAuthTimeoutNanos : idleTimeoutNanos;
                onTimeout = preAuth ? CloseReason.UNAUTHENTICATED_TIMEOUT : CloseReason.IDLE_TIMEOUT;
            }
            int n;
            try {
                socket.setSoTimeout(toSoTimeoutMillis(timeoutNanos));
                // The read timeout restarts with every byte TLS reads; the deadline does not.
                deadline = new Deadline(now + timeoutNanos, onTimeout);
                n = in.read(readBuffer);
            } catch (SocketTimeoutException e) {
                return onTimeout;
            } finally {
                deadline = null;
            }
            if (n < 0) {
                out.flush();
                if (stopRequested) {
                    return CloseReason.SERVER_STOPPING;
                }
                return decoder.inFrame() ? CloseReason.CLIENT_CLOSED_MID_FRAME : CloseReason.CLIENT_CLOSED;
            }
            input = ByteBuffer.wrap(readBuffer, 0, n);
        }
    }

    private void applyFrameLimit(FrameDecoder decoder) {
        ConnectionPolicy.applyFrameLimit(decoder, session, maxQueryLength, maxUnauthenticatedQueryLength);
    }

    /** The processor's response, or null if it broke its contract (threw or returned null). */
    private byte[] process(byte[] body) {
        return ConnectionPolicy.guardedCall(session, () -> processor.process(session, body));
    }

    private CloseReason closeWithFramingError(OutputStream out, FrameError error) {
        log.debug("session {}: {}: {}", session.id(), error.code(), error.message());
        Sockets.closeAfterLastFrame(socket, out, ErrorFrames.body(error.code(), error.message()));
        return error.code() == ErrorCode.FRAME_TOO_LARGE ? CloseReason.FRAME_TOO_LARGE : CloseReason.BAD_FRAME;
    }

    private static int toSoTimeoutMillis(long nanos) {
        long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999));
        return (int) Math.min(Integer.MAX_VALUE, millis);
    }
}
