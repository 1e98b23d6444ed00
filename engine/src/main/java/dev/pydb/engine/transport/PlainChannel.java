package dev.pydb.engine.transport;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** A plain TCP connection: reads and writes go straight to the socket. */
final class PlainChannel implements ConnectionChannel {
    private final SocketChannel socket;

    PlainChannel(SocketChannel socket) {
        this.socket = requireNonNull(socket, "socket is null");
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return socket.read(dst);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return socket.write(srcs, offset, length);
    }

    @Override
    public boolean flush() {
        return true;
    }

    @Override
    public boolean wantsWrite() {
        return false;
    }

    @Override
    public boolean hasBufferedInput() {
        return false;
    }

    @Override
    public boolean handshaking() {
        return false;
    }

    @Override
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
