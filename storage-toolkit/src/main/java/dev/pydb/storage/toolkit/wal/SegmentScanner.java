package dev.pydb.storage.toolkit.wal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Reads the records of one segment file in order and, at the first damaged record, decides
 * whether the damage can be a torn write. The file is never changed.
 *
 * <p>A power loss can leave any subset of the pages of the last, unsynced group write on disk;
 * a kill -9 can leave a prefix of it. So damage is called torn only if no valid record of a
 * <em>later</em> group follows it: every valid record found after the damaged place (searched
 * byte by byte, checksums verified) must belong to the group the damaged record was written in
 * (its group offset points back to or before the damaged record). A valid record of a later group
 * proves that the damaged group was synced before it was written: the damage came after
 * acknowledgement, and it is corruption.
 */
final class SegmentScanner {
    /** The first damage found in a segment. {@code tornPossible}: it can be a write cut by a crash. */
    record Damage(long offset, String problem, boolean tornPossible) {}

    /**
     * What a scan found: the end of the valid records, the last record's sequence number
     * ({@code firstSequence - 1} if none), how many records, and the damage (null if none).
     * {@code headerDamaged}: the damage is in the segment header.
     */
    record Result(long validEnd, long lastSequence, long records, Damage damage, boolean headerDamaged) {}

    /** Receives each valid record; may throw to stop (the exception propagates). */
    interface Visitor {
        void visit(WalRecord record) throws CorruptRecordException;
    }

    private SegmentScanner() {}

    static Result scan(Path file, SegmentReader reader, long firstSequence, Visitor visitor)
            throws IOException, CorruptRecordException {
        long size = reader.size();
        if (size < SegmentFormat.HEADER_BYTES) {
            return new Result(0, firstSequence - 1, 0,
                    new Damage(0, "the segment header is incomplete (" + size + " of " + SegmentFormat.HEADER_BYTES + " bytes)", true), true);
        }
        SegmentFormat.Problem header = SegmentFormat.checkSegmentHeader(reader.read(0, SegmentFormat.HEADER_BYTES), firstSequence);
        if (header != null) {
            // a header is synced before any record is written: with records after it, it was whole once
            boolean torn = !header.intact() && size == SegmentFormat.HEADER_BYTES;
            return new Result(0, firstSequence - 1, 0, new Damage(0, header.text(), torn), true);
        }
        long position = SegmentFormat.HEADER_BYTES;
        long expected = firstSequence;
        long records = 0;
        while (position < size) {
            SegmentFormat.Problem problem = frameProblem(reader, position, expected);
            if (problem != null) {
                boolean torn = !problem.intact() && !laterGroupFollows(reader, position, expected);
                return new Result(position, expected - 1, records, new Damage(position, problem.text(), torn), false);
            }
            int length = reader.readInt(position);
            byte[] payload = reader.read(position + SegmentFormat.RECORD_HEADER_BYTES, length);
            visitor.visit(new WalRecord(expected, payload, file, position));
            records++;
            expected++;
            position += SegmentFormat.RECORD_HEADER_BYTES + length;
        }
        return new Result(position, expected - 1, records, null, false);
    }

    /** Why the record at {@code position} is not the valid record {@code expected}, or null. */
    private static SegmentFormat.Problem frameProblem(SegmentReader reader, long position, long expected) throws IOException {
        long left = reader.size() - position;
        if (left < SegmentFormat.RECORD_HEADER_BYTES) {
            return damaged("incomplete record header (" + left + " of " + SegmentFormat.RECORD_HEADER_BYTES + " bytes)");
        }
        int length = reader.readInt(position);
        if (length < 0 || length > SegmentFormat.MAX_PAYLOAD_BYTES) {
            return damaged("invalid record length " + length);
        }
        if (length > left - SegmentFormat.RECORD_HEADER_BYTES) {
            return damaged("incomplete record (" + (left - SegmentFormat.RECORD_HEADER_BYTES) + " of " + length + " payload bytes)");
        }
        int stored = reader.readInt(position + 4);
        int actual = checksum(reader, position, length);
        if (stored != actual) {
            return damaged(String.format("checksum mismatch (the record says %08x, its bytes give %08x)", stored, actual));
        }
        long sequence = reader.readLong(position + 8);
        int groupOffset = reader.readInt(position + 16);
        int flags = reader.readInt(position + 20);
        if (sequence != expected) {
            return new SegmentFormat.Problem("record " + sequence + " where record " + expected
                    + " was expected (records are missing or out of order)", true);
        }
        if (groupOffset < 0 || groupOffset >= sequence || flags != 0) {
            return new SegmentFormat.Problem("record " + sequence + " has an invalid header (group offset " + groupOffset
                    + ", flags " + flags + ")", true);
        }
        return null;
    }

    private static SegmentFormat.Problem damaged(String text) {
        return new SegmentFormat.Problem(text, false);
    }

    /** Whether a valid record of a group written after the one holding {@code expected} lies after {@code damaged}. */
    private static boolean laterGroupFollows(SegmentReader reader, long damaged, long expected) throws IOException {
        long size = reader.size();
        long position = damaged + 1;
        while (position + SegmentFormat.RECORD_HEADER_BYTES <= size) {
            int length = reader.readInt(position);
            if (length >= 0 && length <= size - position - SegmentFormat.RECORD_HEADER_BYTES) {
                long sequence = reader.readLong(position + 8);
                int groupOffset = reader.readInt(position + 16);
                if (sequence >= 1 && groupOffset >= 0 && groupOffset < sequence && reader.readInt(position + 20) == 0
                        && reader.readInt(position + 4) == checksum(reader, position, length)) {
                    if (sequence - groupOffset > expected || sequence < expected) {
                        return true;
                    }
                    position += SegmentFormat.RECORD_HEADER_BYTES + length;
                    continue;
                }
            }
            position++;
        }
        return false;
    }

    private static int checksum(SegmentReader reader, long position, int length) throws IOException {
        CRC32C crc = new CRC32C();
        reader.update(crc, position + SegmentFormat.RECORD_HEADER_BYTES, length);
        reader.update(crc, position + 8, 16);
        reader.update(crc, position, 4);
        return (int) crc.getValue();
    }
}
