package dev.pydb.storage.mapdb;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import dev.pydb.storage.toolkit.file.FilePermissions;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The redo log that makes a MapDB commit atomic on disk. MapDB 3.1.0's {@code StoreWAL}
 * overwrites pages of the store file in place while it commits and never replays its own
 * write-ahead log on open, so a process killed in the middle of a commit leaves a torn file.
 * {@link RedoLogVolume} therefore holds the store-file writes of a commit in memory and, at the
 * commit's sync, first writes them all here and syncs this file, then writes them to the store
 * file and syncs it, then empties this file. On open, {@link #recover} re-applies a complete
 * log (the kill came after it was synced; re-applying is idempotent) and discards an incomplete
 * one (the kill came before, so the store file was not touched).
 *
 * <p>Format: magic {@code PYDBREDO}, entry count (int), entries of (offset long, length int,
 * bytes), then a CRC32C (long) of everything before it.
 */
final class RedoLog {
    private static final Logger log = LoggerFactory.getLogger(RedoLog.class);
    private static final long MAGIC = 0x5059_4442_5245_444FL; // "PYDBREDO"
    private static final int HEADER = Long.BYTES + Integer.BYTES;

    /** One pending write of the store file. */
    record Write(long offset, byte[] data) {
        Write {
            requireNonNull(data, "data is null");
        }
    }

    private final Path path;
    private FileChannel channel;

    RedoLog(Path path) {
        this.path = requireNonNull(path, "path is null");
    }

    Path path() {
        return path;
    }

    /** Writes and syncs a complete log of {@code writes}. */
    void write(List<Write> writes) throws IOException {
        int size = HEADER + Long.BYTES;
        for (Write write : writes) {
            size += Long.BYTES + Integer.BYTES + write.data().length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        buffer.putLong(MAGIC).putInt(writes.size());
        for (Write write : writes) {
            buffer.putLong(write.offset()).putInt(write.data().length).put(write.data());
        }
        CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 0, buffer.position());
        buffer.putLong(crc.getValue());
        buffer.flip();
        FileChannel log = channel();
        log.truncate(0);
        long position = 0;
        while (buffer.hasRemaining()) {
            position += log.write(buffer, position);
        }
        try {
            log.force(false);
        } catch (IOException e) {
            throw new SyncFailedException("fdatasync of " + path + " failed", e);
        }
    }

    /**
     * Empties the log once its writes are synced to the store file. Not synced: a log that
     * survives a crash only re-applies writes the store file already has.
     */
    void clear() throws IOException {
        channel().truncate(0);
    }

    /** Closes the log file (it stays, empty, for the next open). */
    void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    private FileChannel channel() throws IOException {
        if (channel == null) {
            channel = FilePermissions.open(path, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE));
        }
        return channel;
    }

    /**
     * Before the store is opened: re-applies a complete log to {@code storeFile} and syncs it, or
     * discards an incomplete one; then empties the log.
     */
    void recover(Path storeFile) {
        if (!Files.exists(path)) {
            return;
        }
        try {
            byte[] bytes = Files.readAllBytes(path);
            if (bytes.length == 0) {
                return;
            }
            List<Write> writes = parse(bytes);
            if (writes == null) {
                log.warn("{}: discarding an incomplete redo log of {} bytes (the store file was not touched)", path, bytes.length);
            } else {
                try (FileChannel channel = FileChannel.open(storeFile, StandardOpenOption.WRITE)) {
                    for (Write write : writes) {
                        ByteBuffer data = ByteBuffer.wrap(write.data());
                        long position = write.offset();
                        while (data.hasRemaining()) {
                            position += channel.write(data, position);
                        }
                    }
                    channel.force(false);
                }
                log.warn("{}: re-applied the redo log of a commit interrupted by a crash ({} writes)", storeFile, writes.size());
            }
            clear();
            close();
        } catch (IOException e) {
            throw new PydbException(ErrorCode.UNAVAILABLE, storeFile + ": cannot apply the redo log " + path + ": " + e
                    + " (not closed cleanly and could not be recovered)", e);
        }
    }

    /** The writes of the complete log at {@code path}, or null if it is empty, incomplete or damaged; changes nothing. */
    static List<Write> readComplete(Path path) throws IOException {
        if (!Files.exists(path)) {
            return null;
        }
        byte[] bytes = Files.readAllBytes(path);
        return bytes.length == 0 ? null : parse(bytes);
    }

    /** The writes of a complete log, or null if it is incomplete or damaged. */
    private static List<Write> parse(byte[] bytes) {
        if (bytes.length < HEADER + Long.BYTES) {
            return null;
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        if (buffer.getLong() != MAGIC) {
            return null;
        }
        int count = buffer.getInt();
        if (count < 0) {
            return null;
        }
        Write[] writes = new Write[count];
        for (int i = 0; i < count; i++) {
            if (buffer.remaining() < Long.BYTES + Integer.BYTES + Long.BYTES) {
                return null;
            }
            long offset = buffer.getLong();
            int length = buffer.getInt();
            if (offset < 0 || length < 0 || buffer.remaining() < length + Long.BYTES) {
                return null;
            }
            byte[] data = new byte[length];
            buffer.get(data);
            writes[i] = new Write(offset, data);
        }
        if (buffer.remaining() != Long.BYTES) {
            return null;
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, buffer.position());
        return crc.getValue() == buffer.getLong() ? List.of(writes) : null;
    }
}
