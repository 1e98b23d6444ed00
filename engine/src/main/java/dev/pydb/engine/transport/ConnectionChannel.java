package dev.pydb.engine.transport;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The byte stream of one connection as {@link NioConnection} reads and writes it: the socket
 * itself ({@link PlainChannel}) or TLS over it ({@link TlsChannel}). All calls are non-blocking and
 * come from one thread at a time (the connection's monitor).
 */
interface ConnectionChannel {
    /** Reads application bytes into {@code dst}: how many, 0 if none are ready, -1 at the end of input. */
    int read(ByteBuffer dst) throws IOException;

    /**
     * Writes application bytes from {@code srcs[offset..offset+length)}: how many were taken (0 if
     * the socket takes nothing now). Bytes taken may still wait in the channel: see {@link #flush}.
     */
    long write(ByteBuffer[] srcs, int offset, int length) throws IOException;

    /** Sends what the channel itself holds (TLS records, handshake messages); true when nothing of it waits. */
    boolean flush() throws IOException;

    /** Whether the channel has bytes of its own to send (the connection then waits for the socket to be writable). */
    boolean wantsWrite();

    /** Whether a {@link #read} would return bytes the channel already holds, without the socket being readable. */
    boolean hasBufferedInput();

    /** Whether the connection is still in its TLS handshake (bounded by the frame timeout). */
    boolean handshaking();

    /** Ends the output gracefully (TLS: a close_notify first), keeping input open for lingering. */
    void shutdownOutput() throws IOException;

    /** Closes the socket (TLS: after trying to send a close_notify). */
    void close() throws IOException;
}
