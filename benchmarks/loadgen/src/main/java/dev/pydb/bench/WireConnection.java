package dev.pydb.bench;

import java.io.IOException;

/** One load connection: writes pre-built requests, reads their replies one at a time. */
interface WireConnection extends AutoCloseable {
    /** Writes {@code length} bytes of already encoded requests in one call. */
    void write(byte[] requests, int length) throws IOException;

    /** Reads the next reply; returns null if it succeeded, else its error code ({@code NOT_FOUND} for a missing key). */
    String readReply() throws IOException;

    @Override
    void close() throws IOException;
}
