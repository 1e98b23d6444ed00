package dev.pydb.engine.transport;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * TLS as a stage of a non-blocking connection (as Netty's {@code SslHandler}): an {@link SSLEngine}
 * between the socket and the frame decoder, so TLS connections share the event loops, limits,
 * timeouts and close path of plain ones.
 *
 * <p>Three buffers per connection: encrypted input not yet unwrapped ({@code netIn}), encrypted
 * output not yet sent ({@code netOut}, kept in read mode: what remains is what waits) and
 * decrypted input the caller had no room for ({@code appIn}). Each is about one TLS record
 * (16 KiB plus overhead), so a TLS connection holds about 50 KiB more than a plain one.
 *
 * <p>The handshake is driven by whichever call comes: {@link #read} and {@link #write} first move
 * it on (delegated tasks run inline, on the loop thread); while it lasts {@link #handshaking} is
 * true, and the connection closes it at the frame timeout however slowly its bytes arrive. A
 * second handshake on a TLS 1.2 session (renegotiation) is refused by closing the connection; TLS
 * 1.3's post-handshake messages (session tickets, key updates) are served. A peer's close_notify
 * or end of stream reads as the end of input.
 */
final class TlsChannel implements ConnectionChannel {
    private static final ByteBuffer[] NOTHING = {ByteBuffer.allocate(0)};

    private final SocketChannel socket;
    private final SSLEngine engine;
    private ByteBuffer netIn;
    private ByteBuffer netOut;
    private ByteBuffer appIn;
    /** The last unwrap needed more bytes than {@code netIn} holds: do not unwrap again before reading. */
    private boolean netInNeedsMore;
    private boolean handshakeDone;
    private boolean inputEnded;

    TlsChannel(SocketChannel socket, SSLEngine engine) {
        this.socket = requireNonNull(socket, "socket is null");
        this.engine = requireNonNull(engine, "engine is null");
        SSLSession session = engine.getSession();
        this.netIn = ByteBuffer.allocate(session.getPacketBufferSize());
        this.netOut = ByteBuffer.allocate(session.getPacketBufferSize()).limit(0);
        this.appIn = ByteBuffer.allocate(session.getApplicationBufferSize());
        try {
            // Until this, a new engine says NOT_HANDSHAKING, which would read as a finished handshake.
            engine.beginHandshake();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot start a TLS handshake: " + e.getMessage(), e);
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!handshakeDone && !handshake()) {
            return inputEnded ? -1 : 0;
        }
        int start = dst.position();
        drainAppIn(dst);
        boolean readSocket = false;
        while (dst.hasRemaining() && !inputEnded) {
            if (netIn.position() == 0 || netInNeedsMore) {
                if (readSocket) {
                    break; // one read system call per call
                }
                readSocket = true;
                if (!readFromSocket()) {
                    break;
                }
            }
            SSLEngineResult result = unwrap();
            switch (result.getStatus()) {
                case OK -> {
                    drainAppIn(dst);
                    afterHandshakeMessage(result);
                }
                case BUFFER_UNDERFLOW -> {
                    netInNeedsMore = true;
                    growNetInIfFull();
                }
                case BUFFER_OVERFLOW -> appIn = grown(appIn, engine.getSession().getApplicationBufferSize());
                case CLOSED -> inputEnded = true;
            }
        }
        int n = dst.position() - start;
        if (n == 0 && inputEnded && appIn.position() == 0) {
            return -1;
        }
        return n;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        if (!flush() || !handshakeDone) {
            return 0;
        }
        long taken = 0;
        while (remaining(srcs, offset, length) > 0) {
            netOut.compact();
            SSLEngineResult result;
            try {
                result = engine.wrap(srcs, offset, length, netOut);
            } finally {
                netOut.flip();
            }
            taken += result.bytesConsumed();
            switch (result.getStatus()) {
                case OK -> {
                    if (!flushNetOut()) {
                        return taken;
                    }
                }
                case BUFFER_OVERFLOW -> netOut = grownForOutput(netOut);
                case BUFFER_UNDERFLOW -> throw new SSLException("unexpected underflow while wrapping");
                case CLOSED -> throw new SSLException("the TLS session is closed");
            }
        }
        return taken;
    }

    /** Sends the records that wait and, during the handshake, moves it on; true when nothing waits. */
    @Override
    public boolean flush() throws IOException {
        if (!flushNetOut()) {
            return false;
        }
        if (!handshakeDone) {
            handshake();
        }
        return !netOut.hasRemaining();
    }

    @Override
    public boolean wantsWrite() {
        return netOut.hasRemaining() || !handshakeDone && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP;
    }

    @Override
    public boolean hasBufferedInput() {
        return handshakeDone && (appIn.position() > 0 || netIn.position() > 0 && !netInNeedsMore && !inputEnded);
    }

    @Override
    public boolean handshaking() {
        return !handshakeDone;
    }

    @Override
    public void shutdownOutput() throws IOException {
        sendCloseNotify();
        socket.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        try {
            sendCloseNotify();
        } catch (IOException | RuntimeException e) {
            // Best effort: the socket closes anyway.
        } finally {
            socket.close();
        }
    }

    /** Moves the handshake on as far as the socket allows; true once it is done. */
    private boolean handshake() throws IOException {
        while (true) {
            HandshakeStatus status = engine.getHandshakeStatus();
            switch (status) {
                case NEED_TASK -> runDelegatedTasks();
                case NEED_WRAP -> {
                    if (!wrapHandshake()) {
                        return false;
                    }
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    if (!unwrapHandshake()) {
                        return false;
                    }
                }
                case FINISHED, NOT_HANDSHAKING -> {
                    if (!flushNetOut()) {
                        return false;
                    }
                    handshakeDone = true;
                    return true;
                }
            }
        }
    }

    /** Wraps one handshake message and tries to send it; false if it waits for the socket. */
    private boolean wrapHandshake() throws IOException {
        if (!flushNetOut()) {
            return false;
        }
        netOut.compact();
        SSLEngineResult result;
        try {
            result = engine.wrap(NOTHING, netOut);
        } finally {
            netOut.flip();
        }
        switch (result.getStatus()) {
            case BUFFER_OVERFLOW -> netOut = grownForOutput(netOut);
            case CLOSED -> {
                flushNetOut();
                throw new SSLException("the TLS handshake was closed");
            }
            default -> { }
        }
        return flushNetOut();
    }

    /** Unwraps one handshake message, reading from the socket if needed; false if it waits for input. */
    private boolean unwrapHandshake() throws IOException {
        if ((netIn.position() == 0 || netInNeedsMore) && !readFromSocket()) {
            if (inputEnded) {
                throw new SSLException("the client closed the connection during the TLS handshake");
            }
            return false;
        }
        SSLEngineResult result = unwrap();
        switch (result.getStatus()) {
            case BUFFER_UNDERFLOW -> {
                netInNeedsMore = true;
                growNetInIfFull();
            }
            case BUFFER_OVERFLOW -> appIn = grown(appIn, engine.getSession().getApplicationBufferSize());
            case CLOSED -> throw new SSLException("the TLS handshake was closed by the client");
            case OK -> { }
        }
        return true;
    }

    /** After the first handshake: serve TLS 1.3 post-handshake messages, refuse a TLS 1.2 renegotiation. */
    private void afterHandshakeMessage(SSLEngineResult result) throws IOException {
        HandshakeStatus status = result.getHandshakeStatus();
        if (status == HandshakeStatus.NOT_HANDSHAKING || status == HandshakeStatus.FINISHED) {
            return;
        }
        if (!"TLSv1.3".equals(engine.getSession().getProtocol())) {
            throw new SSLException("TLS renegotiation is refused");
        }
        while (true) {
            HandshakeStatus now = engine.getHandshakeStatus();
            if (now == HandshakeStatus.NEED_TASK) {
                runDelegatedTasks();
            } else if (now == HandshakeStatus.NEED_WRAP) {
                wrapHandshake();
                if (netOut.hasRemaining()) {
                    return; // the connection sees wantsWrite() and flushes when the socket takes it
                }
            } else {
                return;
            }
        }
    }

    private boolean flushNetOut() throws IOException {
        while (netOut.hasRemaining()) {
            if (socket.write(netOut) == 0) {
                return false;
            }
        }
        return true;
    }

    /** Reads once from the socket into {@code netIn}; false if nothing came (or the input ended). */
    private boolean readFromSocket() throws IOException {
        int n = socket.read(netIn);
        if (n < 0) {
            inputEnded = true;
            try {
                engine.closeInbound();
            } catch (SSLException truncated) {
                // The client closed without a close_notify: the end of its input all the same.
            }
            return false;
        }
        if (n > 0) {
            netInNeedsMore = false;
        }
        return n > 0;
    }

    private SSLEngineResult unwrap() throws SSLException {
        netIn.flip();
        try {
            return engine.unwrap(netIn, appIn);
        } finally {
            netIn.compact();
        }
    }

    private void runDelegatedTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    private void sendCloseNotify() throws IOException {
        if (engine.isOutboundDone()) {
            return;
        }
        engine.closeOutbound();
        while (!engine.isOutboundDone()) {
            netOut.compact();
            SSLEngineResult result;
            try {
                result = engine.wrap(NOTHING, netOut);
            } finally {
                netOut.flip();
            }
            if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                netOut = grownForOutput(netOut);
            } else if (result.bytesProduced() == 0) {
                break;
            }
        }
        flushNetOut();
    }

    private void drainAppIn(ByteBuffer dst) {
        if (appIn.position() == 0) {
            return;
        }
        appIn.flip();
        int n = Math.min(appIn.remaining(), dst.remaining());
        ByteBuffer slice = appIn.slice(appIn.position(), n);
        dst.put(slice);
        appIn.position(appIn.position() + n);
        appIn.compact();
    }

    private void growNetInIfFull() {
        if (!netIn.hasRemaining()) {
            netIn = grown(netIn, engine.getSession().getPacketBufferSize());
        }
    }

    /** A write-mode buffer with the content of {@code buffer} (write mode) and room for {@code more} bytes. */
    private static ByteBuffer grown(ByteBuffer buffer, int more) {
        ByteBuffer bigger = ByteBuffer.allocate(buffer.position() + more);
        buffer.flip();
        bigger.put(buffer);
        return bigger;
    }

    /** A read-mode output buffer with the content of {@code buffer} (read mode) and room for one more record. */
    private ByteBuffer grownForOutput(ByteBuffer buffer) {
        ByteBuffer bigger = ByteBuffer.allocate(buffer.remaining() + engine.getSession().getPacketBufferSize());
        bigger.put(buffer).flip();
        return bigger;
    }

    private static long remaining(ByteBuffer[] srcs, int offset, int length) {
        long n = 0;
        for (int i = offset; i < offset + length; i++) {
            n += srcs[i].remaining();
        }
        return n;
    }
}
