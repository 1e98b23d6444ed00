package dev.pydb.engine.transport;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.pydb.engine.codec.DecodeResult;
import dev.pydb.engine.codec.FrameDecoder;
import dev.pydb.engine.codec.FrameEncoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;

/** A blocking test client of the wire framing; every read gives up after 10 s. */
final class FrameClient implements AutoCloseable {
    private static final int READ_TIMEOUT_MILLIS = 10_000;

    private final Socket socket;
    private final InputStream in;
    private final FrameDecoder decoder = new FrameDecoder(Integer.MAX_VALUE);
    private final byte[] readBuffer = new byte[8192];
    private ByteBuffer input = ByteBuffer.allocate(0);

    FrameClient(int port) {
        this(connect(port));
    }

    /** A client on an already connected socket (for example a TLS one). */
    FrameClient(Socket connected) {
        try {
            socket = connected;
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            in = socket.getInputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Socket connect(int port) {
        try {
            return new Socket(InetAddress.getLoopbackAddress(), port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] frames(List<String> bodies) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        bodies.forEach(body -> out.writeBytes(FrameEncoder.encode(body.getBytes(UTF_8))));
        return out.toByteArray();
    }

    /** Sends raw bytes in one write. */
    FrameClient sendRaw(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return this;
    }

    FrameClient sendRaw(String ascii) throws IOException {
        return sendRaw(ascii.getBytes(UTF_8));
    }

    FrameClient send(String body) throws IOException {
        return sendRaw(FrameEncoder.encode(body.getBytes(UTF_8)));
    }

    /** Sends one request and reads its response. */
    String call(String body) throws IOException {
        return send(body).readFrame();
    }

    /** The next response body; fails if the server closes the connection first. */
    String readFrame() throws IOException {
        while (true) {
            DecodeResult result = decoder.decode(input);
            if (result instanceof DecodeResult.Frame frame) {
                return new String(frame.body(), UTF_8);
            }
            if (result instanceof DecodeResult.Failed failed) {
                throw new AssertionError("the server sent a malformed frame: " + failed.error());
            }
            int n = in.read(readBuffer);
            if (n < 0) {
                throw new AssertionError("the server closed the connection instead of answering");
            }
            input = ByteBuffer.wrap(readBuffer, 0, n);
        }
    }

    /** Whether the server closed the connection (end of stream or reset) with no more bytes for us. */
    boolean closedByServer() throws IOException {
        if (input.hasRemaining() || decoder.inFrame()) {
            return false;
        }
        try {
            return in.read() < 0;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
