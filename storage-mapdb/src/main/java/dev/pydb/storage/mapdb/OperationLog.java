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
import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.storage.toolkit.file.FilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only operation log ({@code pydb.mapdb.oplog}) that makes a group of writes durable
 * with one sequential write and one {@code fdatasync}: each record holds the logical operations
 * ({@link Operations}) of one group commit and its log sequence number. MapDB itself commits only
 * at a checkpoint, which stores the sequence number of the last record it contains; after that
 * the log is emptied ({@link #reset()}). On open, the records after the checkpoint are replayed.
 *
 * <p>Record: payload length (int), CRC32C of sequence number and payload (int), sequence number
 * (long), payload.
 *
 * <p>Recovery ({@link #recover()}) is strict: each record is synced before the next one is
 * written, so only the last record can be torn by a crash. A short or damaged record that no valid
 * record follows is that torn tail: it is cut with a WARN naming the file, the offset and the
 * bytes cut. A damaged record followed by a valid one (searched byte by byte, checksum verified)
 * is damage after acknowledgement: the start is refused naming the file and the offset.
 */
final class OperationLog implements AutoCloseable {
    private static final int HEADER = Integer.BYTES + Integer.BYTES + Long.BYTES;
    /** Larger records are refused on read as damage; far above any group (frames are at most 16 MiB). */
    private static final int MAX_PAYLOAD = 1 << 30;
    private static final Logger LOGGER = LoggerFactory.getLogger(OperationLog.class);

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
        return new OperationLog(path, FilePermissions.open(path, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)));
    }

    /** Opens an existing log for reading only ({@link #verify}). */
    static OperationLog openReadOnly(Path path) throws IOException {
        requireNonNull(path, "path is null");
        return new OperationLog(path, FileChannel.open(path, StandardOpenOption.READ));
    }

    /** Every record in the log (for the verifier; call after {@link #verify} found it clean or torn only). */
    List<Entry> readUpToDamage() throws IOException {
        return scan(channel.size()).entries;
    }

    Path path() {
        return path;
    }

    /** Bytes of synced records in the log. */
    long length() {
        return syncedLength;
    }

    /**
     * The records within the first {@code limit} bytes of the file (all synced ones: for a
     * rollback while open), in order; {@code UNAVAILABLE} if one of them is damaged.
     */
    List<Entry> readAll(long limit) throws IOException {
        Scan scan = scan(Math.min(channel.size(), limit));
        if (scan.damagedAt >= 0) {
            throw damaged(scan.damagedAt, scan.problem);
        }
        syncedLength = scan.end;
        return scan.entries;
    }

    /**
     * At open: every record of the log, strictly. A torn last record is cut (with a WARN naming
     * the file, offset and bytes); a damaged record that a valid one follows refuses the start
     * ({@code UNAVAILABLE} naming the file and offset). Appending continues after the last record.
     */
    List<Entry> recover() throws IOException {
        long size = channel.size();
        Scan scan = scan(size);
        if (scan.damagedAt >= 0) {
            if (scan.outOfSequence) {
                throw damaged(scan.damagedAt, scan.problem);
            }
            long later = nextValidRecord(scan.damagedAt + 1, size);
            if (later >= 0) {
                throw damaged(scan.damagedAt, scan.problem + "; a valid record follows at offset " + later
                        + ", so this is damage after the write was acknowledged, not a torn last write");
            }
            LOGGER.warn("{}: cut a torn last record at offset {} ({} bytes cut: {}); it was never acknowledged", path,
                    scan.damagedAt, size - scan.damagedAt, scan.problem);
            channel.truncate(scan.damagedAt);
            channel.force(false);
        }
        syncedLength = scan.end;
        return scan.entries;
    }

    /** What {@link #verify} found: the records read, and the damaged place or -1. */
    record Verified(int records, long damagedAt, String problem, boolean tornTail) {}

    /** Reads the whole log without changing it (for the offline verifier). */
    Verified verify() throws IOException {
        long size = channel.size();
        Scan scan = scan(size);
        if (scan.damagedAt < 0) {
            return new Verified(scan.entries.size(), -1, null, false);
        }
        boolean torn = !scan.outOfSequence && nextValidRecord(scan.damagedAt + 1, size) < 0;
        return new Verified(scan.entries.size(), scan.damagedAt, scan.problem, torn);
    }

    private PydbException damaged(long offset, String problem) {
        return new PydbException(ErrorCode.UNAVAILABLE, path + ": the operation log is damaged at offset " + offset + " ("
                + problem + "); refusing to start: restore the storage from a backup, or move the log away to accept"
                + " losing the writes in it");
    }

    private record Scan(List<Entry> entries, long end, long damagedAt, String problem, boolean outOfSequence) {
        Scan(List<Entry> entries, long end, long damagedAt, String problem) {
            this(entries, end, damagedAt, problem, false);
        }
    }

    /** Reads records from offset 0 up to {@code size} or the first short or damaged one. */
    private Scan scan(long size) throws IOException {
        List<Entry> entries = new ArrayList<>();
        long position = 0;
        ByteBuffer head = ByteBuffer.allocate(HEADER);
        long previous = -1;
        while (position < size) {
            if (position + HEADER > size) {
                return new Scan(List.copyOf(entries), position, position, "a short record header of " + (size - position) + " bytes");
            }
            head.clear();
            readFully(head, position);
            head.flip();
            int length = head.getInt();
            int checksum = head.getInt();
            long sequence = head.getLong();
            if (length < 0 || length > MAX_PAYLOAD || position + HEADER + length > size) {
                return new Scan(List.copyOf(entries), position, position, "record length " + length + " runs past the end");
            }
            ByteBuffer payload = ByteBuffer.allocate(length);
            readFully(payload, position + HEADER);
            payload.flip();
            if (checksum(sequence, payload) != checksum) {
                return new Scan(List.copyOf(entries), position, position, "checksum mismatch");
            }
            if (previous >= 0 && sequence != previous + 1) {
                return new Scan(List.copyOf(entries), position, position, "record " + sequence + " follows record " + previous, true);
            }
            previous = sequence;
            entries.add(new Entry(sequence, payload.asReadOnlyBuffer()));
            position += HEADER + length;
        }
        return new Scan(List.copyOf(entries), position, -1, null);
    }

    /** The offset of the first whole record with a valid checksum at or after {@code from}, or -1. */
    private long nextValidRecord(long from, long size) throws IOException {
        if (size - from < HEADER) {
            return -1;
        }
        ByteBuffer rest = ByteBuffer.allocate(Math.toIntExact(size - from));
        readFully(rest, from);
        for (int at = 0; at + HEADER <= rest.limit(); at++) {
            int length = rest.getInt(at);
            if (length < 0 || at + HEADER + (long) length > rest.limit()) {
                continue;
            }
            int checksum = rest.getInt(at + 4);
            long sequence = rest.getLong(at + 8);
            if (checksum(sequence, rest.slice(at + HEADER, length)) == checksum) {
                return from + at;
            }
        }
        return -1;
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
        try {
            channel.force(false);
        } catch (IOException e) {
            throw new SyncFailedException("fdatasync of " + path + " failed", e);
        }
        syncedLength = position + HEADER + length;
    }

    /**
     * Cuts off anything after the last synced record (the rest of a failed append: on a full disk
     * this gives the space back). Not synced: a failed append is never a whole record (it is cut as
     * a torn tail at the next open), except after a failed fsync, after which writes are refused.
     */
    void truncateToSynced() throws IOException {
        channel.truncate(syncedLength);
    }

    /**
     * Empties the log after a checkpoint holds all its records, durably (so that no old record can
     * reappear behind the new ones after a power loss and be taken for damage).
     */
    void reset() throws IOException {
        channel.truncate(0);
        syncedLength = 0;
        try {
            channel.force(true);
        } catch (IOException e) {
            throw new SyncFailedException("fsync of " + path + " failed", e);
        }
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
