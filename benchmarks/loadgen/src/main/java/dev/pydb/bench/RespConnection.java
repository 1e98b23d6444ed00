package dev.pydb.bench;

import static java.util.Objects.requireNonNull;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/** One raw TCP connection to a Redis server: writes pre-built RESP commands, reads replies with a {@link RespReplyReader}. */
final class RespConnection implements WireConnection {
    private final Socket socket;
    private final OutputStream out;
    private final RespReplyReader replies;

    private RespConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.replies = new RespReplyReader(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
    }

    static RespConnection open(String host, int port) throws IOException {
        requireNonNull(host, "host is null");
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), 10_000);
            return new RespConnection(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    @Override
    public void write(byte[] requests, int length) throws IOException {
        out.write(requests, 0, length);
    }

    @Override
    public String readReply() throws IOException {
        return replies.read();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
