package dev.pydb.storage.json;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays a database's log at open. Records already in the snapshot (seq at most the snapshot's)
 * are skipped, and a log holding only such records (compaction stopped before it emptied the log)
 * is emptied; the other records must follow each other and the snapshot without a gap. Only the last line may be damaged
 * (no newline, bad framing or checksum: a write cut by a crash, never acknowledged); it is
 * truncated with a WARN naming the file and the offset. A damaged line anywhere else, or a line
 * with a good checksum and bad content, fails the open with {@code UNAVAILABLE} naming the file.
 */
final class LogRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(LogRecovery.class);
    private static final int CHUNK = 1 << 16;

    private final Path file;
    private final long snapshotSeq;
    private final Consumer<LogRecord> apply;
    private long previousSeq = -1;
    private long lastApplied;
    private long damagedAt = -1;
    private String damage;
    private long staleRecords;
    private long appliedRecords;

    private LogRecovery(Path file, long snapshotSeq, Consumer<LogRecord> apply) {
        this.file = file;
        this.snapshotSeq = snapshotSeq;
        this.lastApplied = snapshotSeq;
        this.apply = apply;
    }

    /** What recovery found: the size of the valid content and the last sequence number (the snapshot's if no record is newer). */
    record Result(long validSize, long lastSeq) {}

    /** Replays {@code file} (absent: empty) into {@code apply}, truncating a torn last line. */
    static Result replay(Path file, long snapshotSeq, Consumer<LogRecord> apply) throws IOException {
        if (!Files.exists(file)) {
            return new Result(0, snapshotSeq);
        }
        return new LogRecovery(file, snapshotSeq, apply).run();
    }

    private Result run() throws IOException {
        byte[] line = new byte[CHUNK];
        int lineLength = 0;
        long lineStart = 0;
        byte[] chunk = new byte[CHUNK];
        try (InputStream in = Files.newInputStream(file)) {
            int read;
            while ((read = in.read(chunk)) > 0) {
                int from = 0;
                for (int i = 0; i < read; i++) {
                    if (chunk[i] == '\n') {
                        int part = i - from;
                        line = ensureCapacity(line, lineLength + part);
                        System.arraycopy(chunk, from, line, lineLength, part);
                        lineLength += part;
                        handle(line, lineLength, lineStart, true);
                        lineStart += lineLength + 1;
                        lineLength = 0;
                        from = i + 1;
                    }
                }
                int rest = read - from;
                line = ensureCapacity(line, lineLength + rest);
                System.arraycopy(chunk, from, line, lineLength, rest);
                lineLength += rest;
            }
        }
        if (lineLength > 0) {
            handle(line, lineLength, lineStart, false);
        }
        long validSize = lineStart + lineLength;
        if (damagedAt >= 0) {
            LOG.warn("json storage: truncating the torn last record of {} at offset {} ({} bytes cut: {})",
                    file, damagedAt, validSize - damagedAt, damage);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(damagedAt);
                channel.force(true);
            }
            validSize = damagedAt;
        }
        if (staleRecords > 0 && appliedRecords == 0) {
            // compaction stopped between renaming the snapshot and emptying the log: finish it
            LOG.info("json storage: emptying {}: its {} record(s) are all in the snapshot already", file, staleRecords);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(0);
                channel.force(true);
            }
            validSize = 0;
        }
        return new Result(validSize, lastApplied);
    }

    private void handle(byte[] line, int length, long offset, boolean complete) {
        if (damagedAt >= 0) {
            throw corrupt(damagedAt, damage + " (and it is not the last line)");
        }
        LogRecord record;
        try {
            record = LogCodec.decode(line, length);
        } catch (LogCodec.DamagedLineException e) {
            damagedAt = offset;
            damage = e.getMessage() + (complete ? "" : ", no newline");
            return;
        } catch (LogCodec.CorruptRecordException e) {
            throw corrupt(offset, e.getMessage());
        }
        if (!complete) {
            damagedAt = offset;
            damage = "no newline";
            return;
        }
        if (previousSeq >= 0 && record.seq() != previousSeq + 1) {
            throw corrupt(offset, "record " + record.seq() + " follows record " + previousSeq);
        }
        previousSeq = record.seq();
        if (record.seq() <= snapshotSeq) {
            staleRecords++;
            return;
        }
        if (record.seq() != lastApplied + 1) {
            throw corrupt(offset, "record " + record.seq() + " follows the snapshot's " + snapshotSeq + " (records are missing)");
        }
        apply.accept(record);
        lastApplied = record.seq();
        appliedRecords++;
    }

    private PydbException corrupt(long offset, String problem) {
        return new PydbException(ErrorCode.UNAVAILABLE, "json storage: " + file + " is corrupt at offset " + offset
                + ": " + problem + "; restore it from a backup or repair it by hand");
    }

    private static byte[] ensureCapacity(byte[] buffer, int needed) {
        return needed <= buffer.length ? buffer : Arrays.copyOf(buffer, Math.max(needed, buffer.length * 2));
    }
}
