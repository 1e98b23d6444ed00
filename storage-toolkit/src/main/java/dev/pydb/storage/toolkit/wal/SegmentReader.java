package dev.pydb.storage.toolkit.wal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/** Random-access reads of a segment file through a 1 MiB window (positional reads; the file is never changed). */
final class SegmentReader {
    private static final int WINDOW_BYTES = 1 << 20;

    private final FileChannel channel;
    private final long size;
    private final byte[] window = new byte[WINDOW_BYTES];
    private long windowStart;
    private int windowLength;

    SegmentReader(FileChannel channel, long size) {
        this.channel = channel;
        this.size = size;
    }

    long size() {
        return size;
    }

    int readInt(long position) throws IOException {
        int at = ensure(position, 4);
        return ((window[at] & 0xff) << 24) | ((window[at + 1] & 0xff) << 16) | ((window[at + 2] & 0xff) << 8)
                | (window[at + 3] & 0xff);
    }

    long readLong(long position) throws IOException {
        return ((long) readInt(position) << 32) | (readInt(position + 4) & 0xffffffffL);
    }

    byte[] read(long position, int length) throws IOException {
        byte[] bytes = new byte[length];
        if (length <= WINDOW_BYTES) {
            System.arraycopy(window, ensure(position, length), bytes, 0, length);
        } else {
            readFully(ByteBuffer.wrap(bytes), position);
        }
        return bytes;
    }

    /** Feeds {@code length} bytes from {@code position} into {@code crc}. */
    void update(CRC32C crc, long position, long length) throws IOException {
        long done = 0;
        while (done < length) {
            int part = (int) Math.min(WINDOW_BYTES, length - done);
            crc.update(window, ensure(position + done, part), part);
            done += part;
        }
    }

    /** Makes {@code [position, position + length)} readable in the window; returns its index there. */
    private int ensure(long position, int length) throws IOException {
        if (position < 0 || position + length > size) {
            throw new EOFException("read of " + length + " bytes at " + position + " past the end (" + size + ")");
        }
        if (position >= windowStart && position + length <= windowStart + windowLength) {
            return (int) (position - windowStart);
        }
        windowStart = position;
        windowLength = (int) Math.min(WINDOW_BYTES, size - position);
        readFully(ByteBuffer.wrap(window, 0, windowLength), position);
        return 0;
    }

    private void readFully(ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new EOFException("the file ended at " + at + " while reading");
            }
            at += n;
        }
    }
}
