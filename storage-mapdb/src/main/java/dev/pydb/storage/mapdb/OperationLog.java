package dev.pydb.storage.mapdb;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The append-only operation log ({@code pydb.mapdb.oplog}) that makes a group of writes durable
 * with one sequential write and one {@code fdatasync}: each record holds the logical operations
 * ({@link Operations}) of one group commit and its log sequence number. MapDB itself commits only
 * at a checkpoint, which stores the sequence number of the last record it contains; after that
 * the log is emptied ({@link #reset()}). On open, the records after the checkpoint are replayed.
 *
 * <p>Record: payload length (int), CRC32C of sequence number and payload (int), sequence number
 * (long), payload. Reading stops at the first short or damaged record: it is the torn end of an
 * append that was never synced, so never acknowledged.
 */
final class OperationLog implements AutoCloseable {
    private static final int HEADER = Integer.BYTES + Integer.BYTES + Long.BYTES;
    /** Larger records are refused on read as damage; far above any group (frames are at most 16 MiB). */
    private static final int MAX_PAYLOAD = 1 << 30;

    /** One record read back: its sequence number and its operations. */
    record Entry(long sequence, ByteBuffer payload) {
        Entry {
            requireNonNull(payload, "payload is null");
        }
    }

    private final Path path;
    private final FileChannel channel;
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer header = ByteBuffer.allocate(HEADER);
    /** The end of the last record synced to disk; appending starts here. */
    private long syncedLength;

    private OperationLog(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    /** Opens (creating if missing) the log; call {@link #readAll} before the first append. */
    static OperationLog open(Path path) throws IOException {
        requireNonNull(path, "path is null");
        return new OperationLog(path, FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE));
    }

    Path path() {
        return path;
    }

    /** Bytes of synced records in the log. */
    long length() {
        return syncedLength;
    }

    /**
     * The complete records within the first {@code limit} bytes of the file, in order, up to the
     * first short or damaged one. Appending then continues after the last complete record.
     */
    List<Entry> readAll(long limit) throws IOException {
        List<Entry> entries = new ArrayList<>();
        long position = 0;
        long size = Math.min(channel.size(), limit);
        ByteBuffer head = ByteBuffer.allocate(HEADER);
        while (position + HEADER <= size) {
            head.clear();
            readFully(head, position);
            head.flip();
            int length = head.getInt();
            int checksum = head.getInt();
            long sequence = head.getLong();
            if (length < 0 || length > MAX_PAYLOAD || position + HEADER + length > size) {
                break;
            }
            ByteBuffer payload = ByteBuffer.allocate(length);
            readFully(payload, position + HEADER);
            payload.flip();
            if (checksum(sequence, payload) != checksum) {
                break;
            }
            entries.add(new Entry(sequence, payload.asReadOnlyBuffer()));
            position += HEADER + length;
        }
        syncedLength = position;
        return List.copyOf(entries);
    }

    /** Appends one record and syncs it ({@code fdatasync}); once this returns the record survives a crash. */
    void append(long sequence, ByteBuffer payload) throws IOException {
        int length = payload.remaining();
        header.clear();
        header.putInt(length).putInt(checksum(sequence, payload)).putLong(sequence).flip();
        long position = syncedLength;
        ByteBuffer[] parts = {header, payload.duplicate()};
        channel.position(position);
        long remaining = (long) HEADER + length;
        while (remaining > 0) {
            remaining -= channel.write(parts);
        }
        channel.force(false);
        syncedLength = position + HEADER + length;
    }

    /**
     * Cuts off anything after the last synced record (the torn rest of a failed append). Not
     * synced: a stale tail is either damaged (reading stops there) or already checkpointed.
     */
    void truncateToSynced() throws IOException {
        channel.truncate(syncedLength);
    }

    /**
     * Empties the log after a checkpoint holds all its records. Not synced: if the emptying is
     * lost in a crash, the old records carry sequence numbers the checkpoint already has.
     */
    void reset() throws IOException {
        channel.truncate(0);
        syncedLength = 0;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private int checksum(long sequence, ByteBuffer payload) {
        crc.reset();
        ByteBuffer number = ByteBuffer.allocate(Long.BYTES).putLong(0, sequence);
        crc.update(number);
        crc.update(payload.duplicate());
        return (int) crc.getValue();
    }

    private void readFully(ByteBuffer target, long position) throws IOException {
        long at = position;
        while (target.hasRemaining()) {
            int read = channel.read(target, at);
            if (read < 0) {
                throw new IOException(path + ": unexpected end of file at " + at);
            }
            at += read;
        }
    }
}
