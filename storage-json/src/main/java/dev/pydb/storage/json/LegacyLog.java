package dev.pydb.storage.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.pydb.api.storage.Document;
import dev.pydb.storage.toolkit.wal.CorruptRecordException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-database log of 0.1.0, {@code databases/<db>/log.jsonl}, read once to upgrade a
 * database to the write-ahead log (and by the verifier). One line per batch:
 * <pre>{"crc":"1c291ca3","batch":{"seq":7,"changes":[{"op":"put","key":"k","rev":2,"doc":{…}},{"op":"delete","key":"j"}]}}</pre>
 * {@code crc} is the CRC32 (8 lower-case hex digits) of the exact bytes of the {@code batch}
 * value. The 0.1.0 rules hold: records at or before the snapshot's {@code seq} are skipped, the
 * others must follow it without a gap; only the last line may be damaged (a torn write, cut with a
 * WARN when {@code repair}); a damaged line elsewhere, or a line whose checksum matches and whose
 * content is invalid, is corruption.
 */
final class LegacyLog {
    static final String FILE_NAME = "log.jsonl";
    private static final Logger LOG = LoggerFactory.getLogger(LegacyLog.class);
    private static final byte[] PREFIX = "{\"crc\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MIDDLE = "\",\"batch\":".getBytes(StandardCharsets.US_ASCII);
    private static final int CRC_DIGITS = 8;
    private static final int HEADER_LENGTH = PREFIX.length + CRC_DIGITS + MIDDLE.length;
    private static final int CHUNK = 1 << 16;

    private final Path file;
    private final long snapshotSeq;
    private final Consumer<LogRecord> apply;
    private long previousSeq = -1;
    private long lastApplied;
    private long records;
    private long damagedAt = -1;
    private String damage;

    private LegacyLog(Path file, long snapshotSeq, Consumer<LogRecord> apply) {
        this.file = file;
        this.snapshotSeq = snapshotSeq;
        this.lastApplied = snapshotSeq;
        this.apply = apply;
    }

    /** What reading found: the records read, where a torn last line begins (-1: none) and why. */
    record Result(long records, long tornAt, String tornProblem) {}

    /** The log is corrupt (not just torn at its end): the offset and the problem. */
    static final class CorruptLogException extends Exception {
        private static final long serialVersionUID = 1L;
        private final long offset;

        CorruptLogException(Path file, long offset, String problem) {
            super(file + " is corrupt at offset " + offset + ": " + problem);
            this.offset = offset;
        }

        long offset() {
            return offset;
        }
    }

    /**
     * Reads {@code file} (absent: nothing) into {@code apply}; with {@code repair} a torn last line
     * is cut (WARN naming the file, the offset and the bytes cut), else only reported.
     */
    static Result read(Path file, long snapshotSeq, Consumer<LogRecord> apply, boolean repair)
            throws IOException, CorruptLogException {
        if (!Files.exists(file)) {
            return new Result(0, -1, null);
        }
        LegacyLog log = new LegacyLog(file, snapshotSeq, apply);
        long size = log.run();
        if (log.damagedAt >= 0 && repair) {
            LOG.warn("json storage: cutting the torn last record of {} at offset {} ({} bytes cut: {})", file, log.damagedAt,
                    size - log.damagedAt, log.damage);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(log.damagedAt);
                channel.force(true);
            }
        }
        return new Result(log.records, log.damagedAt, log.damage);
    }

    private long run() throws IOException, CorruptLogException {
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
        return lineStart + lineLength;
    }

    private void handle(byte[] line, int length, long offset, boolean complete) throws CorruptLogException {
        if (damagedAt >= 0) {
            throw new CorruptLogException(file, damagedAt, damage + " (and it is not the last line)");
        }
        LogRecord record;
        try {
            record = decode(line, length);
        } catch (DamagedLineException e) {
            damagedAt = offset;
            damage = e.getMessage() + (complete ? "" : ", no newline");
            return;
        } catch (CorruptRecordException e) {
            throw new CorruptLogException(file, offset, e.getMessage());
        }
        if (!complete) {
            damagedAt = offset;
            damage = "no newline";
            return;
        }
        if (previousSeq >= 0 && record.seq() != previousSeq + 1) {
            throw new CorruptLogException(file, offset, "record " + record.seq() + " follows record " + previousSeq);
        }
        previousSeq = record.seq();
        records++;
        if (record.seq() <= snapshotSeq) {
            return;
        }
        if (record.seq() != lastApplied + 1) {
            throw new CorruptLogException(file, offset, "record " + record.seq() + " follows the snapshot's " + snapshotSeq
                    + " (records are missing)");
        }
        apply.accept(record);
        lastApplied = record.seq();
    }

    /** Decodes one line (without its newline). */
    private static LogRecord decode(byte[] line, int length) throws DamagedLineException, CorruptRecordException {
        if (length < HEADER_LENGTH + 2
                || !Arrays.equals(line, 0, PREFIX.length, PREFIX, 0, PREFIX.length)
                || !Arrays.equals(line, PREFIX.length + CRC_DIGITS, HEADER_LENGTH, MIDDLE, 0, MIDDLE.length)
                || line[length - 1] != '}') {
            throw new DamagedLineException("not a log line");
        }
        long expected;
        try {
            expected = HexFormat.fromHexDigits(new String(line, PREFIX.length, CRC_DIGITS, StandardCharsets.US_ASCII)) & 0xFFFFFFFFL;
        } catch (IllegalArgumentException e) {
            throw new DamagedLineException("the crc is not 8 hex digits");
        }
        int batchLength = length - 1 - HEADER_LENGTH;
        CRC32 crc = new CRC32();
        crc.update(line, HEADER_LENGTH, batchLength);
        if (crc.getValue() != expected) {
            throw new DamagedLineException(String.format("crc mismatch: the line says %08x, its content has %08x", expected,
                    crc.getValue()));
        }
        try (JsonParser parser = Json.FACTORY.createParser(line, HEADER_LENGTH, batchLength)) {
            BatchCodec.expect(parser.nextToken(), JsonToken.START_OBJECT, "batch");
            long seq = -1;
            Map<String, Document> changes = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("seq".equals(field)) {
                    BatchCodec.expect(value, JsonToken.VALUE_NUMBER_INT, "seq");
                    seq = parser.getLongValue();
                } else if ("changes".equals(field)) {
                    BatchCodec.expect(value, JsonToken.START_ARRAY, "changes");
                    changes = BatchCodec.readChanges(parser);
                } else {
                    throw new CorruptRecordException("unknown field '" + field + "' in a batch");
                }
            }
            if (seq < 1 || changes == null || parser.nextToken() != null) {
                throw new CorruptRecordException("a batch needs a seq >= 1 and changes, and nothing after it");
            }
            return new LogRecord(seq, changes);
        } catch (JsonProcessingException e) {
            throw new CorruptRecordException("invalid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] ensureCapacity(byte[] buffer, int needed) {
        return needed <= buffer.length ? buffer : Arrays.copyOf(buffer, Math.max(needed, buffer.length * 2));
    }

    /** A line whose framing or checksum is wrong (a torn write looks like this). */
    private static final class DamagedLineException extends Exception {
        private static final long serialVersionUID = 1L;

        DamagedLineException(String message) {
            super(message);
        }
    }
}
