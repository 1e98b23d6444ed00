package dev.pydb.engine.transport;

import dev.pydb.engine.codec.FrameEncoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

/** Socket helpers of the transport: printable addresses and closing after a last frame. */
final class Sockets {
    /** How long a closing connection's unread input is drained, so the last frame is not lost to a reset. */
    static final long LINGER_MILLIS = 1000;
    private static final int LINGER_MAX_BYTES = 1024 * 1024;

    private Sockets() {}

    /** {@code 127.0.0.1:51234} or {@code [::1]:51234}. */
    static String remoteAddress(Socket socket) {
        SocketAddress address = socket.getRemoteSocketAddress();
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            String host = inet.getAddress().getHostAddress();
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    /**
     * Writes one last frame, then closes gracefully: output is shut down first and unread input
     * drained for up to {@link #LINGER_MILLIS}, because closing a socket with unread input makes
     * the kernel send a reset that can discard the frame before the client reads it.
     */
    static void closeAfterLastFrame(Socket socket, OutputStream out, byte[] body) {
        try {
            FrameEncoder.writeTo(out, body);
            out.flush();
            socket.shutdownOutput();
            drainInput(socket);
        } catch (IOException e) {
            // The client is gone; nothing more to tell it.
        } finally {
            closeQuietly(socket);
        }
    }

    /** Answers a connection over {@code max_connections} with one error frame and closes it; blocks up to about a second. */
    static void refuse(Socket socket, byte[] body) {
        try {
            // Bounds a TLS handshake too: the refusal must not wait on a silent client.
            socket.setSoTimeout((int) LINGER_MILLIS);
            closeAfterLastFrame(socket, socket.getOutputStream(), body);
        } catch (IOException e) {
            closeQuietly(socket);
        }
    }

    private static void drainInput(Socket socket) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MILLIS);
        InputStream in = socket.getInputStream();
        byte[] sink = new byte[8192];
        long drained = 0;
        while (drained < LINGER_MAX_BYTES) {
            long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (remainingMillis <= 0) {
                return;
            }
            socket.setSoTimeout((int) remainingMillis);
            int n = in.read(sink);
            if (n < 0) {
                return;
            }
            drained += n;
        }
    }

    static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Closing is best effort.
        }
    }
}
