package dev.pydb.engine.transport;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.engine.codec.DecodeResult;
import dev.pydb.engine.codec.FrameDecoder;
import dev.pydb.engine.codec.FrameEncoder;
import dev.pydb.engine.codec.FrameError;
import dev.pydb.engine.session.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection of the {@link NioTcpServer}, driven by its {@link EventLoop}: decodes the
 * bytes the loop reads, runs each request on the loop or hands it to a worker (as its
 * {@link PreparedRequest} says), and queues the responses for one gathering write.
 *
 * <p>Order and backpressure come from one rule: a connection decodes its next frame only when no
 * request of it is on a worker and less than {@value #OUTPUT_HIGH_WATER_BYTES} bytes of output
 * wait, and it reads from the socket only when everything it has read is answered and written.
 * So a client that pipelines without reading costs at most the read buffer's worth of input and
 * the high-water mark of output, and the kernel's buffers hold the rest.
 *
 * <p>A worker runs a prepared request that may block and then, if the connection has nothing
 * else to do, writes the response itself; otherwise it hands the response to the loop. While a
 * request is on a worker the connection keeps reading (up to {@value #MAX_PENDING_INPUT_BYTES}
 * bytes ahead) but decodes nothing. The connection's state is guarded by its monitor: the loop
 * and one worker at a time use it.
 */
final class NioConnection {
    private static final Logger log = LoggerFactory.getLogger(NioConnection.class);
    /** Output queued before the connection stops decoding and waits for the socket to take it. */
    static final int OUTPUT_HIGH_WATER_BYTES = 64 * 1024;
    /** Input read ahead while a request is on a worker, before the connection stops reading. */
    static final int MAX_PENDING_INPUT_BYTES = 64 * 1024;
    private static final long NOT_IN_FRAME = Long.MIN_VALUE;
    private static final int LINGER_MAX_BYTES = 1024 * 1024;

    /**
     * Told when a connection opens and closes (statistics, the server's set of open connections).
     * A connection that fails before it opens is closed without being opened.
     */
    interface Listener {
        void opened(NioConnection connection);

        void closed(NioConnection connection);
    }

    private final SocketChannel channel;
    /** What reads and writes go through: the socket itself, or TLS over it. */
    private final ConnectionChannel stream;
    private final Session session;
    private final EventLoop loop;
    private final RequestProcessor processor;
    private final FrameDecoder decoder;
    private final int maxQueryLength;
    private final int maxUnauthenticatedQueryLength;
    private final long idleTimeoutNanos;
    private final long frameTimeoutNanos;
    private final long preAuthTimeoutNanos;
    private final PreAuthSlots.Slot preAuthSlot;
    private final Listener listener;
    private final CountDownLatch finished = new CountDownLatch(1);

    private SelectionKey key;
    private boolean opened;
    private long openedAt;
    private long lastActivity;
    private long frameStartedAt = NOT_IN_FRAME;
    private long requestsServed;

    /** Input read but not decoded yet (waiting behind a worker or behind output), or null. */
    private ByteBuffer pending;
    private ByteBuffer[] output = new ByteBuffer[8];
    private int outputStart;
    private int outputEnd;
    private long outputBytes;

    private boolean inFlight;
    /** No more input is read; once everything received is answered and written, the connection closes. */
    private boolean inputEnded;
    /** Close once the output is written: after a framing error (then linger) or a broken processor. */
    private boolean closeAfterOutput;
    private boolean lingerAfterOutput;
    private boolean lingering;
    private long lingerDeadline;
    private long lingerDrained;
    private CloseReason endReason = CloseReason.CLIENT_CLOSED;
    private boolean closed;

    NioConnection(SocketChannel channel, ConnectionChannel stream, Session session, EventLoop loop, RequestProcessor processor,
            int maxQueryLength, int maxUnauthenticatedQueryLength, long idleTimeoutNanos, long frameTimeoutNanos,
            long preAuthTimeoutNanos, PreAuthSlots.Slot preAuthSlot, Listener listener) {
        this.channel = requireNonNull(channel, "channel is null");
        this.stream = requireNonNull(stream, "stream is null");
        this.session = requireNonNull(session, "session is null");
        this.loop = requireNonNull(loop, "loop is null");
        this.processor = requireNonNull(processor, "processor is null");
        this.decoder = new FrameDecoder(maxQueryLength);
        this.maxQueryLength = maxQueryLength;
        this.maxUnauthenticatedQueryLength = maxUnauthenticatedQueryLength;
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.frameTimeoutNanos = frameTimeoutNanos;
        this.preAuthTimeoutNanos = preAuthTimeoutNanos;
        this.preAuthSlot = requireNonNull(preAuthSlot, "preAuthSlot is null");
        this.listener = requireNonNull(listener, "listener is null");
    }

    Session session() {
        return session;
    }

    EventLoop loop() {
        return loop;
    }

    /** Registers the channel with the loop's selector and starts reading. On the loop thread. */
    synchronized void open(SelectionKey registered, long now) {
        this.key = requireNonNull(registered, "registered is null");
        this.opened = true;
        this.openedAt = now;
        this.lastActivity = now;
        listener.opened(this);
        log.info("connection opened: session={} remote={}", session.id(), session.remoteAddress());
    }

    /** Handles the socket being readable and/or writable. */
    synchronized void ready(int readyOps, ByteBuffer readBuffer) {
        if (closed) {
            return;
        }
        if ((readyOps & SelectionKey.OP_READ) != 0) {
            if (lingering) {
                drainWhileLingering(readBuffer);
                return;
            }
            if (!read(readBuffer)) {
                return;
            }
        }
        progress();
        if (pending == readBuffer) {
            // The loop reuses its buffer: keep what is left of this connection's input in its own.
            ByteBuffer rest = ByteBuffer.allocate(readBuffer.remaining());
            rest.put(readBuffer).flip();
            pending = rest;
        }
    }

    /**
     * The response of the request that ran on this worker thread (null if the processor failed).
     * If nothing else waits on the connection, writes it from here and returns; otherwise (more
     * input to decode, output the socket does not take, closing) the loop takes over.
     */
    void completedOnWorker(byte[] response) {
        synchronized (this) {
            if (closed) {
                return;
            }
            inFlight = false;
            lastActivity = System.nanoTime();
            respond(response);
            if (pending == null && !inputEnded && !closeAfterOutput && !stream.hasBufferedInput()) {
                boolean written = write();
                if (closed || written && key.interestOps() == wantedInterest()) {
                    return;
                }
            }
        }
        loop.execute(this::continueOnLoop);
    }

    private synchronized void continueOnLoop() {
        if (!closed) {
            progress();
        }
    }

    /**
     * Asks the connection to end gracefully: no more input is read, the requests already received
     * are answered and written, then it closes.
     */
    synchronized void requestStop() {
        if (closed || lingering) {
            return;
        }
        if (!inputEnded) {
            inputEnded = true;
            endReason = CloseReason.SERVER_STOPPING;
        }
        progress();
    }

    /** Closes idle connections, slow frames and expired lingers. Called periodically by the loop. */
    synchronized void checkTimeouts(long now) {
        if (closed) {
            return;
        }
        if (lingering) {
            if (now - lingerDeadline >= 0) {
                close(endReason);
            }
            return;
        }
        if (stream.handshaking()) {
            // The TLS handshake counts as a frame: bounded by the frame timeout, however slowly it comes, and
            // (it comes before authentication) by unauthenticated_timeout_seconds.
            if (now - openedAt >= Math.min(frameTimeoutNanos, preAuthTimeoutNanos)) {
                close(CloseReason.TLS_HANDSHAKE_TIMEOUT);
            }
            return;
        }
        if (inFlight) {
            return;
        }
        // Before authentication neither waiting nor a frame may take longer than unauthenticated_timeout_seconds.
        boolean preAuth = !session.authenticated();
        if (frameStartedAt != NOT_IN_FRAME && pending == null && outputStart == outputEnd) {
            if (now - frameStartedAt >= (preAuth ? Math.min(frameTimeoutNanos, preAuthTimeoutNanos) : frameTimeoutNanos)) {
                close(CloseReason.FRAME_TIMEOUT);
            }
        } else if (preAuth && now - lastActivity >= preAuthTimeoutNanos) {
            close(CloseReason.UNAUTHENTICATED_TIMEOUT);
        } else if (now - lastActivity >= idleTimeoutNanos) {
            close(CloseReason.IDLE_TIMEOUT);
        }
    }

    /** Closes the socket now; idempotent. */
    synchronized void close(CloseReason reason) {
        if (closed) {
            return;
        }
        closed = true;
        preAuthSlot.release();
        pending = null;
        Arrays.fill(output, null);
        if (key != null) {
            key.cancel();
        }
        try {
            stream.close();
        } catch (IOException e) {
            log.debug("session {}: closing: {}", session.id(), e.toString());
        }
        if (opened) {
            log.info("connection closed: session={} remote={} requests={} duration={}ms reason={}",
                    session.id(), session.remoteAddress(), requestsServed,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - openedAt), reason);
        }
        try {
            loop.closed(this);
            listener.closed(this);
        } finally {
            finished.countDown();
        }
    }

    /** Whether the connection was registered with its loop (and so counted as opened). */
    synchronized boolean opened() {
        return opened;
    }

    /** Waits until the connection is closed; true if it was within the timeout. Any thread. */
    boolean awaitClosed(long timeout, TimeUnit unit) throws InterruptedException {
        return finished.await(timeout, unit);
    }

    /** Reads once into the loop's buffer; false if the connection is done with reading (or closed). */
    private boolean read(ByteBuffer readBuffer) {
        readBuffer.clear();
        int n;
        boolean handshaking = stream.handshaking();
        try {
            n = stream.read(readBuffer);
        } catch (IOException e) {
            logReadOrWriteFailure(handshaking, e);
            close(handshaking ? CloseReason.TLS_HANDSHAKE_FAILED : CloseReason.IO_ERROR);
            return false;
        }
        if (n < 0) {
            inputEnded = true;
            endReason = CloseReason.CLIENT_CLOSED;
            progress();
            return false;
        }
        readBuffer.flip();
        if (n > 0) {
            lastActivity = System.nanoTime();
            if (pending == null) {
                pending = readBuffer;
            } else {
                // Read ahead while a request is on a worker: append to what waits.
                ByteBuffer joined = ByteBuffer.allocate(pending.remaining() + readBuffer.remaining());
                joined.put(pending).put(readBuffer).flip();
                pending = joined;
            }
        }
        return true;
    }

    private void logReadOrWriteFailure(boolean handshaking, IOException e) {
        if (handshaking) {
            log.info("session {}: TLS handshake failed: {}", session.id(), e.getMessage());
        } else {
            log.debug("session {}: {}", session.id(), e.toString());
        }
    }

    /** Decodes and answers what it can, writes, and sets what the selector should wait for. */
    private void progress() {
        while (true) {
            decodeAndRun();
            if (closed) {
                return;
            }
            if (outputWaiting() && !write()) {
                break;
            }
            if (closed) {
                return;
            }
            if (pending == null || inFlight || closeAfterOutput) {
                break;
            }
        }
        if (!outputWaiting()) {
            if (closeAfterOutput) {
                finishClosing();
                return;
            }
            if (inputEnded && !inFlight) {
                boolean midFrame = endReason == CloseReason.CLIENT_CLOSED && decoder.inFrame();
                close(midFrame ? CloseReason.CLIENT_CLOSED_MID_FRAME : endReason);
                return;
            }
        }
        updateInterest();
        if ((key.interestOps() & SelectionKey.OP_READ) != 0 && stream.hasBufferedInput()) {
            // TLS records already read and not yet decrypted: the selector will not report them.
            loop.execute(this::readBufferedInput);
        }
    }

    private synchronized void readBufferedInput() {
        if (!closed && (key.interestOps() & SelectionKey.OP_READ) != 0) {
            ready(SelectionKey.OP_READ, loop.readBuffer());
        }
    }

    /** Responses queued, or bytes of the stream's own (TLS records, handshake) that wait for the socket. */
    private boolean outputWaiting() {
        return outputStart < outputEnd || stream.wantsWrite();
    }

    private void decodeAndRun() {
        while (pending != null && !inFlight && !closeAfterOutput && !closed && outputBytes < OUTPUT_HIGH_WATER_BYTES) {
            applyFrameLimit();
            DecodeResult result = decoder.decode(pending);
            switch (result) {
                case DecodeResult.Frame frame -> {
                    frameStartedAt = NOT_IN_FRAME;
                    run(frame.body());
                }
                case DecodeResult.NeedMoreInput ignored -> pending = null;
                case DecodeResult.Failed failed -> failFraming(failed.error());
            }
        }
        if (frameStartedAt == NOT_IN_FRAME && decoder.inFrame()) {
            frameStartedAt = System.nanoTime();
        }
    }

    private void applyFrameLimit() {
        ConnectionPolicy.applyFrameLimit(decoder, session, maxQueryLength, maxUnauthenticatedQueryLength);
    }

    private void run(byte[] body) {
        PreparedRequest request;
        try {
            request = requireNonNull(processor.prepare(session, body), "prepared request");
        } catch (RuntimeException e) {
            log.error("session {}: the request processor threw; closing the connection", session.id(), e);
            brokenProcessor();
            return;
        }
        if (request.mayBlock()) {
            inFlight = true;
            loop.offload(this, request);
        } else {
            respond(execute(request, session));
        }
    }

    /** Runs a prepared request; null if the processor broke its contract (threw or returned null). */
    static byte[] execute(PreparedRequest request, Session session) {
        return ConnectionPolicy.guardedCall(session, request::execute);
    }

    private void respond(byte[] response) {
        if (response == null) {
            brokenProcessor();
            return;
        }
        requestsServed++;
        if (session.authenticated()) {
            // Logged in: no longer counted against the pre-authentication limits.
            preAuthSlot.release();
        }
        enqueue(ByteBuffer.wrap(FrameEncoder.header(response.length)));
        enqueue(ByteBuffer.wrap(response));
    }

    private void brokenProcessor() {
        pending = null;
        closeAfterOutput = true;
        endReason = CloseReason.PROCESSOR_FAILED;
    }

    private void failFraming(FrameError error) {
        log.debug("session {}: {}: {}", session.id(), error.code(), error.message());
        pending = null;
        byte[] body = ErrorFrames.body(error.code(), error.message());
        enqueue(ByteBuffer.wrap(FrameEncoder.header(body.length)));
        enqueue(ByteBuffer.wrap(body));
        closeAfterOutput = true;
        lingerAfterOutput = true;
        endReason = error.code() == ErrorCode.FRAME_TOO_LARGE ? CloseReason.FRAME_TOO_LARGE : CloseReason.BAD_FRAME;
    }

    private void enqueue(ByteBuffer buffer) {
        if (outputEnd == output.length) {
            if (outputStart > 0) {
                System.arraycopy(output, outputStart, output, 0, outputEnd - outputStart);
                Arrays.fill(output, outputEnd - outputStart, outputEnd, null);
                outputEnd -= outputStart;
                outputStart = 0;
            } else {
                output = Arrays.copyOf(output, output.length * 2);
            }
        }
        output[outputEnd++] = buffer;
        outputBytes += buffer.remaining();
    }

    /** Writes as much queued output as the socket takes; true if all of it was written. */
    private boolean write() {
        boolean handshaking = stream.handshaking();
        try {
            while (outputStart < outputEnd) {
                long written = stream.write(output, outputStart, outputEnd - outputStart);
                if (written == 0) {
                    return false;
                }
                outputBytes -= written;
                lastActivity = System.nanoTime();
                while (outputStart < outputEnd && !output[outputStart].hasRemaining()) {
                    output[outputStart++] = null;
                }
            }
            outputStart = 0;
            outputEnd = 0;
            return stream.flush();
        } catch (IOException e) {
            logReadOrWriteFailure(handshaking, e);
            close(handshaking ? CloseReason.TLS_HANDSHAKE_FAILED
                    : inputEnded && endReason == CloseReason.SERVER_STOPPING ? CloseReason.SERVER_STOPPING : CloseReason.IO_ERROR);
            return false;
        }
    }

    /** Everything is written after a framing error or a broken processor: close, or first linger. */
    private void finishClosing() {
        if (!lingerAfterOutput) {
            close(endReason);
            return;
        }
        // Closing with unread input makes the kernel send a reset that can discard the error frame
        // before the client reads it: shut down output, then drain input for a while.
        try {
            stream.shutdownOutput();
        } catch (IOException e) {
            close(endReason);
            return;
        }
        lingering = true;
        lingerDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Sockets.LINGER_MILLIS);
        setInterest(SelectionKey.OP_READ);
    }

    private void drainWhileLingering(ByteBuffer readBuffer) {
        readBuffer.clear();
        try {
            int n = channel.read(readBuffer);
            lingerDrained += Math.max(n, 0);
            if (n < 0 || lingerDrained >= LINGER_MAX_BYTES) {
                close(endReason);
            }
        } catch (IOException e) {
            close(endReason);
        }
    }

    private void updateInterest() {
        setInterest(wantedInterest());
    }

    /**
     * Write while output waits; else read when everything read is answered, or, while a request
     * is on a worker, until {@value #MAX_PENDING_INPUT_BYTES} bytes wait behind it.
     */
    private int wantedInterest() {
        if (outputWaiting()) {
            return SelectionKey.OP_WRITE;
        }
        if (inputEnded || closeAfterOutput) {
            return 0;
        }
        if (pending == null || inFlight && pending.remaining() < MAX_PENDING_INPUT_BYTES) {
            return SelectionKey.OP_READ;
        }
        return 0;
    }

    private void setInterest(int ops) {
        if (key.interestOps() != ops) {
            key.interestOps(ops);
        }
    }
}
