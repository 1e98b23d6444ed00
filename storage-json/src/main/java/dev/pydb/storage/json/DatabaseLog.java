package dev.pydb.storage.json;

import static java.util.Objects.requireNonNull;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The append-only log file of one database ({@code log.jsonl}) as the committer writes it: the
 * size of its valid content and the sequence number of its last record. Used by the committer
 * thread only.
 */
final class DatabaseLog implements Closeable {
    private final Path file;
    private final FileChannel channel;
    private long size;
    private long lastSeq;

    private DatabaseLog(Path file, FileChannel channel, long size, long lastSeq) {
        this.file = file;
        this.channel = channel;
        this.size = size;
        this.lastSeq = lastSeq;
    }

    /** Opens (creating if needed) the log whose valid content ends at {@code size}. */
    static DatabaseLog open(Path file, long size, long lastSeq) throws IOException {
        requireNonNull(file, "file is null");
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        return new DatabaseLog(file, channel, size, lastSeq);
    }

    Path file() {
        return file;
    }

    long size() {
        return size;
    }

    long lastSeq() {
        return lastSeq;
    }

    /** The sequence number of the next record; {@link #append} advances it. */
    long nextSeq() {
        return lastSeq + 1;
    }

    /** Writes encoded records (not yet durable: see {@link #sync}); {@code records} of {@code count} records. */
    void append(byte[] records, long count) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(records);
        while (buffer.hasRemaining()) {
            size += channel.write(buffer, size);
        }
        lastSeq += count;
    }

    /** Makes everything appended so far durable. */
    void sync() throws IOException {
        channel.force(false);
    }

    /** Empties the log after its records went into a durable snapshot; the sequence continues. */
    void clear() throws IOException {
        channel.truncate(0);
        channel.force(true);
        size = 0;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
