package dev.pydb.storage.toolkit.wal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The on-disk format of the log (docs/STORAGE-TOOLKIT.md), all numbers big-endian.
 *
 * <p>A segment file {@code wal-<first sequence, 20 digits>.log} starts with a 32-byte header:
 * <pre>
 *   0  8  magic "pydb-wal"
 *   8  4  format version (1)
 *  12  8  sequence number of the segment's first record (the one in the name)
 *  20  4  CRC32C of bytes 0..19
 *  24  8  zero
 * </pre>
 * followed by records, each a 24-byte header and the payload:
 * <pre>
 *   0  4  payload length n (0 .. {@link #MAX_PAYLOAD_BYTES})
 *   4  4  CRC32C of the payload, then of bytes 8..23, then of bytes 0..3 of this header
 *   8  8  sequence number (the previous record's + 1)
 *  16  4  group offset: how many records of the same group commit (one write, one fdatasync)
 *         come before this one in the file
 *  20  4  flags (0)
 *  24  n  payload, opaque to the log
 * </pre>
 * The group offset lets replay tell a torn last group (a power loss can leave any subset of the
 * pages of the last, unsynced write on disk) from damage to a group that was synced before later
 * ones were written.
 */
final class SegmentFormat {
    static final int HEADER_BYTES = 32;
    static final int RECORD_HEADER_BYTES = 24;
    static final int MAX_PAYLOAD_BYTES = 1 << 30;
    static final int VERSION = 1;
    private static final byte[] MAGIC = "pydb-wal".getBytes(StandardCharsets.US_ASCII);
    private static final Pattern NAME = Pattern.compile("wal-([0-9]{20})\\.log");

    private SegmentFormat() {}

    /** The file name of the segment whose first record is {@code firstSequence}. */
    static String fileName(long firstSequence) {
        return String.format("wal-%020d.log", firstSequence);
    }

    /** The first sequence number a segment file's name gives, or -1 if it is not a segment's name. */
    static long firstSequenceOf(Path file) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        if (!m.matches()) {
            return -1;
        }
        try {
            return Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static ByteBuffer segmentHeader(long firstSequence) {
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        header.put(MAGIC).putInt(VERSION).putLong(firstSequence);
        CRC32C crc = new CRC32C();
        crc.update(header.array(), 0, 20);
        header.putInt((int) crc.getValue()).putLong(0);
        return header.flip();
    }

    /**
     * Why {@code header} (32 bytes) is not the header of the segment starting at
     * {@code firstSequence}, or null if it is. {@link Problem#intact}: the checksum matches (the
     * header is whole but wrong, never a torn write).
     */
    static Problem checkSegmentHeader(byte[] header, long firstSequence) {
        ByteBuffer buffer = ByteBuffer.wrap(header);
        CRC32C crc = new CRC32C();
        crc.update(header, 0, 20);
        if (!Arrays.equals(header, 0, MAGIC.length, MAGIC, 0, MAGIC.length) || buffer.getInt(20) != (int) crc.getValue()) {
            return new Problem("the segment header is damaged (wrong magic or checksum)", false);
        }
        if (buffer.getInt(8) != VERSION) {
            return new Problem("unknown segment format version " + buffer.getInt(8), true);
        }
        if (buffer.getLong(12) != firstSequence) {
            return new Problem("the segment header says its first record is " + buffer.getLong(12) + ", its name says "
                    + firstSequence, true);
        }
        return null;
    }

    /** Why bytes are not what they should be; {@code intact}: their checksum matches, so no torn write made them. */
    record Problem(String text, boolean intact) {}

    /**
     * The record header for a payload whose CRC32C state {@code payloadCrc} (already fed the
     * payload) is completed with the header fields; {@code payloadCrc} is consumed.
     */
    static ByteBuffer recordHeader(int payloadLength, long sequence, int groupOffset, CRC32C payloadCrc) {
        ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER_BYTES);
        header.putInt(0, payloadLength).putLong(8, sequence).putInt(16, groupOffset).putInt(20, 0);
        payloadCrc.update(header.array(), 8, 16);
        payloadCrc.update(header.array(), 0, 4);
        header.putInt(4, (int) payloadCrc.getValue());
        return header;
    }
}
