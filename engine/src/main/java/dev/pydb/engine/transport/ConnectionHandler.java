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
 *
 * <p>Memory: a complete header reserves its frame's {@link RequestCost#ofFrame cost} in the
 * server's {@link MemoryBudget} before the body is read, waiting up to the frame timeout for
 * room (this thread blocks, so the socket is not read meanwhile); then, or at once if it can
 * never fit, the frame is refused with {@code LIMIT_EXCEEDED} and the connection closed. A body
 * whose tree would cost more reserves the difference or is answered {@code LIMIT_EXCEEDED}. The
 * reservation and the response are released once the response is written.
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
    private final Listener listener;
    private final ConnectionMemory memory;
    private final CountDownLatch finished = new CountDownLatch(1);

    private volatile boolean stopRequested;
    private long requestsServed;
    /** Bytes of the budget reserved for the request being received or processed. */
    private long requestReserved;
    private boolean frameNeverFits;

    /** Told when the connection starts and ends, for bookkeeping (statistics, the set of open connections). */
    interface Listener {
        void opened(ConnectionHandler connection);

        void closed(ConnectionHandler connection);
    }

    ConnectionHandler(Socket socket, Session session, RequestProcessor processor, int maxQueryLength,
                      int maxUnauthenticatedQueryLength, Duration idleTimeout, Duration frameTimeout, Listener listener,
                      ConnectionMemory memory) {
        this.socket = requireNonNull(socket, "socket is null");
        this.session = requireNonNull(session, "session is null");
        this.processor = requireNonNull(processor, "processor is null");
        this.maxQueryLength = maxQueryLength;
        this.maxUnauthenticatedQueryLength = maxUnauthenticatedQueryLength;
        this.idleTimeoutNanos = idleTimeout.toNanos();
        this.frameTimeoutNanos = frameTimeout.toNanos();
        this.listener = requireNonNull(listener, "listener is null");
        this.memory = requireNonNull(memory, "memory is null");
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
            reason = stopRequested ? CloseReason.SERVER_STOPPING : CloseReason.IO_ERROR;
            log.debug("session {}: {}", session.id(), e.toString());
        } catch (Throwable e) {
            // This connection's own thread: nothing else ends with it. The incident id ties the log to the client's report.
            String incident = java.util.UUID.randomUUID().toString();
            memory.stats().connectionIncident();
            log.error("incident {}: session {} from {}: unexpected failure in the connection loop; closing it", incident,
                    session.id(), session.remoteAddress(), e);
        } finally {
            releaseRequestMemory();
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

    /** Waits until the connection loop has ended; true if it did within {@code timeout}. */
    boolean awaitFinished(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private CloseReason serve() throws IOException {
        if (socket instanceof SSLSocket tls) {
            // The handshake must finish within the frame timeout, so a silent or plain-text client goes soon.
            socket.setSoTimeout(toSoTimeoutMillis(frameTimeoutNanos));
            try {
                tls.startHandshake();
            } catch (SocketTimeoutException e) {
                return CloseReason.FRAME_TIMEOUT;
            } catch (SSLException e) {
                log.debug("session {}: TLS handshake failed: {}", session.id(), e.toString());
                return CloseReason.TLS_HANDSHAKE_FAILED;
            }
        }
        InputStream in = socket.getInputStream();
        OutputStream out = new BufferedOutputStream(socket.getOutputStream(), WRITE_BUFFER_BYTES);
        FrameDecoder decoder = new FrameDecoder(maxQueryLength);
        decoder.setAdmission(this::admit);
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
                    ConnectionPolicy.Outcome outcome = processWithinBudget(frame.body());
                    byte[] response = outcome.body();
                    memory.budget().forceReserve(response.length);
                    try {
                        releaseRequestMemory();
                        FrameEncoder.writeTo(out, response);
                    } finally {
                        memory.budget().release(response.length);
                    }
                    requestsServed++;
                    if (outcome.closeAfter()) {
                        out.flush();
                        return CloseReason.PROCESSOR_FAILED;
                    }
                    unflushed = true;
                    continue;
                }
                case DecodeResult.Failed failed -> {
                    return closeWithFramingError(out, failed.error());
                }
                case DecodeResult.NeedMoreInput ignored -> {
                    if (decoder.awaitingAdmission()) {
                        return refuseForMemory(out, decoder.declaredLength());
                    }
                    // All received bytes are consumed: read more below.
                }
            }
            if (unflushed && in.available() == 0) {
                out.flush();
                unflushed = false;
            }
            long now = System.nanoTime();
            long timeoutNanos;
            if (decoder.inFrame()) {
                if (!frameStarted) {
                    frameStarted = true;
                    frameDeadline = now + frameTimeoutNanos;
                }
                timeoutNanos = frameDeadline - now;
                if (timeoutNanos <= 0) {
                    return CloseReason.FRAME_TIMEOUT;
                }
            } else {
                timeoutNanos = idleTimeoutNanos;
            }
            int n;
            try {
                socket.setSoTimeout(toSoTimeoutMillis(timeoutNanos));
                n = in.read(readBuffer);
            } catch (SocketTimeoutException e) {
                return decoder.inFrame() ? CloseReason.FRAME_TIMEOUT : CloseReason.IDLE_TIMEOUT;
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

    /** The processor's outcome, or {@code LIMIT_EXCEEDED} if the parsed body would not fit in the budget. */
    private ConnectionPolicy.Outcome processWithinBudget(byte[] body) {
        long cost = RequestCost.ofBody(body);
        if (cost > requestReserved) {
            if (!memory.budget().tryReserve(cost - requestReserved)) {
                releaseRequestMemory();
                memory.stats().memoryRefused();
                log.warn("session {} from {}: request refused (LIMIT_EXCEEDED): parsing it needs about {} bytes, "
                        + "server.max_request_memory is {}", session.id(), session.remoteAddress(), cost,
                        memory.budget().limit());
                return new ConnectionPolicy.Outcome(ErrorFrames.body(ErrorCode.LIMIT_EXCEEDED, "the server has not "
                        + "enough request memory for this request now (it needs about " + cost + " bytes to parse; "
                        + "server.max_request_memory is " + memory.budget().limit()
                        + "): retry later or send a smaller request"), false);
            }
            requestReserved = cost;
        }
        return ConnectionPolicy.guardedCall(session, () -> processor.process(session, body));
    }

    /** The decoder's question once a header is complete: reserve the frame's memory, waiting up to the frame timeout. */
    private boolean admit(int length) {
        long cost = RequestCost.ofFrame(length);
        MemoryBudget budget = memory.budget();
        if (budget.tryReserve(cost)) {
            requestReserved += cost;
            return true;
        }
        if (!budget.fits(cost)) {
            frameNeverFits = true;
            return false;
        }
        memory.stats().memoryWaited();
        if (budget.reserve(cost, System.nanoTime() + frameTimeoutNanos)) {
            requestReserved += cost;
            return true;
        }
        return false;
    }

    private CloseReason refuseForMemory(OutputStream out, long length) {
        String why = frameNeverFits
                ? "the frame needs " + RequestCost.ofFrame(length) + " bytes, more than server.max_request_memory ("
                        + memory.budget().limit() + ")"
                : "waited " + TimeUnit.NANOSECONDS.toSeconds(frameTimeoutNanos)
                        + " s (frame_timeout_seconds) for request memory";
        memory.stats().memoryRefused();
        log.warn("session {} from {}: frame of {} bytes refused (LIMIT_EXCEEDED): {}; closing the connection",
                session.id(), session.remoteAddress(), length, why);
        Sockets.closeAfterLastFrame(socket, out, ErrorFrames.body(ErrorCode.LIMIT_EXCEEDED,
                "request refused: " + why + "; retry later"));
        return CloseReason.MEMORY_LIMIT;
    }

    private void releaseRequestMemory() {
        if (requestReserved > 0) {
            long bytes = requestReserved;
            requestReserved = 0;
            memory.budget().release(bytes);
        }
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
