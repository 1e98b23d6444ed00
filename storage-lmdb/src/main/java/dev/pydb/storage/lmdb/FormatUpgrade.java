package dev.pydb.storage.lmdb;

import static dev.pydb.storage.lmdb.RecordCodec.direct;
import static java.util.Objects.requireNonNull;

import dev.pydb.storage.toolkit.codec.StoredValueCodec;
import dev.pydb.storage.toolkit.codec.StoredValueCodec.CorruptValueException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.lmdbjava.Cursor;
import org.lmdbjava.GetOp;
import org.lmdbjava.Txn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rewrites a 0.1.0 store (format 1: a document value was its revision and body, a count 8 bytes,
 * nothing checksummed) in format 2, at the first start of this version, before the storage serves.
 *
 * <p>The documents are rewritten in key order, in transactions of at most
 * {@link #MAX_VALUES_PER_TRANSACTION} values or {@link #MAX_BYTES_PER_TRANSACTION} bytes, each
 * committed by the writer thread; then the counts are rewritten and the marker
 * {@code upgrade_from_1} (set by {@link LmdbTables#open} together with format version 2) is removed
 * in one last transaction. A crash anywhere leaves committed transactions only, and the marker:
 * the next start runs the upgrade again and skips the values already in format 2, which their
 * first byte tells apart ({@code 0xD2}; a format-1 value starts with its revision's high byte, 0).
 * A format-1 value that is itself malformed (shorter than a revision, or revision below 1) is left
 * as it was and logged: reading it then answers {@code CORRUPTED} instead of blessing the damage
 * with a valid checksum.
 */
final class FormatUpgrade {
    static final int MAX_VALUES_PER_TRANSACTION = 10_000;
    static final long MAX_BYTES_PER_TRANSACTION = 32L << 20;
    private static final long PROGRESS_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final Logger LOG = LoggerFactory.getLogger(FormatUpgrade.class);

    /** What one transaction of the upgrade did; {@code lastKey} null when no document is left after it. */
    record Step(byte[] lastKey, long rewritten, long alreadyFormat2, long leftDamaged) {}

    /** What the whole upgrade did. */
    record Summary(long documentsRewritten, long alreadyFormat2, long leftDamaged, long countsRewritten, long transactions) {}

    private final GroupCommitWriter writer;
    private final LmdbTables tables;
    private final int maxValues;
    private final long maxBytes;

    FormatUpgrade(GroupCommitWriter writer, LmdbTables tables, int maxValues, long maxBytes) {
        this.writer = requireNonNull(writer, "writer is null");
        this.tables = requireNonNull(tables, "tables is null");
        this.maxValues = maxValues;
        this.maxBytes = maxBytes;
    }

    FormatUpgrade(GroupCommitWriter writer, LmdbTables tables) {
        this(writer, tables, MAX_VALUES_PER_TRANSACTION, MAX_BYTES_PER_TRANSACTION);
    }

    /** Rewrites every document and count still in format 1, then ends the upgrade. */
    Summary run() {
        long total = writer.execute(txn -> writeTxn -> tables.documents().stat(writeTxn).entries);
        LOG.info("upgrading the lmdb data in {} to format 2 (checksums): {} documents to check, at most {} per transaction",
                tables.dataFile(), total, maxValues);
        long started = System.nanoTime();
        long lastReport = started;
        long rewritten = 0;
        long alreadyFormat2 = 0;
        long leftDamaged = 0;
        long transactions = 0;
        byte[] after = null;
        do {
            Step step = step(after);
            transactions++;
            rewritten += step.rewritten();
            alreadyFormat2 += step.alreadyFormat2();
            leftDamaged += step.leftDamaged();
            after = step.lastKey();
            if (System.nanoTime() - lastReport > PROGRESS_NANOS) {
                lastReport = System.nanoTime();
                LOG.info("upgrading the lmdb data in {}: {} of {} documents checked", tables.dataFile(),
                        rewritten + alreadyFormat2 + leftDamaged, total);
            }
        } while (after != null);
        long counts = finish();
        transactions++;
        Summary summary = new Summary(rewritten, alreadyFormat2, leftDamaged, counts, transactions);
        LOG.info("upgraded the lmdb data in {} to format 2 in {} ms and {} transactions: {} documents rewritten, {} already"
                + " in format 2 (an upgrade resumed), {} damaged left as they were, {} database counts rewritten",
                tables.dataFile(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), transactions, rewritten,
                alreadyFormat2, leftDamaged, counts);
        return summary;
    }

    /** Rewrites, in one transaction, the next documents after the record key {@code after} (null: from the first). */
    Step step(byte[] after) {
        return writer.execute(txn -> writeTxn -> step(writeTxn, after));
    }

    private Step step(Txn<ByteBuffer> txn, byte[] after) {
        List<byte[][]> rewrites = new ArrayList<>();
        long alreadyFormat2 = 0;
        long leftDamaged = 0;
        long values = 0;
        long bytes = 0;
        byte[] lastKey = null;
        boolean found;
        try (Cursor<ByteBuffer> cursor = tables.documents().openCursor(txn)) {
            if (after == null) {
                found = cursor.first();
            } else {
                ByteBuffer start = direct(after);
                found = cursor.get(start, GetOp.MDB_SET_RANGE);
                if (found && cursor.key().equals(start)) {
                    found = cursor.next();
                }
            }
            while (found && values < maxValues && bytes < maxBytes) {
                lastKey = bytesOf(cursor.key());
                ByteBuffer value = cursor.val();
                values++;
                bytes += value.remaining();
                if (RecordCodec.isFormat2(value)) {
                    alreadyFormat2++;
                } else {
                    try {
                        StoredValueCodec.Decoded old = StoredValueCodec.decodeFormat1(bytesOf(value));
                        rewrites.add(new byte[][] {lastKey, StoredValueCodec.encode(lastKey, old.rev(), old.body())});
                    } catch (CorruptValueException e) {
                        leftDamaged++;
                        LOG.warn("upgrade of the lmdb data in {}: the 0.1.0 value of key '{}' is malformed ({}); it is"
                                + " left as it was and reads of it answer CORRUPTED", tables.dataFile(), printable(lastKey),
                                e.getMessage());
                    }
                }
                found = cursor.next();
            }
        }
        for (byte[][] rewrite : rewrites) {
            tables.documents().put(txn, direct(rewrite[0]), direct(rewrite[1]));
        }
        return new Step(found ? lastKey : null, rewrites.size(), alreadyFormat2, leftDamaged);
    }

    /** Rewrites the counts still in format 1 and removes the upgrade marker, in one transaction; returns the counts rewritten. */
    long finish() {
        return writer.execute(txn -> writeTxn -> {
            List<byte[][]> rewrites = new ArrayList<>();
            try (Cursor<ByteBuffer> cursor = tables.databases().openCursor(writeTxn)) {
                boolean found = cursor.first();
                while (found) {
                    ByteBuffer value = cursor.val();
                    if (!RecordCodec.isFormat2(value) && value.remaining() == Long.BYTES) {
                        byte[] name = bytesOf(cursor.key());
                        rewrites.add(new byte[][] {name, bytesOf(RecordCodec.countValue(name, RecordCodec.numberOf(value)))});
                    }
                    found = cursor.next();
                }
            }
            for (byte[][] rewrite : rewrites) {
                tables.databases().put(writeTxn, direct(rewrite[0]), direct(rewrite[1]));
            }
            tables.finishUpgrade(writeTxn);
            return (long) rewrites.size();
        });
    }

    private static byte[] bytesOf(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(buffer.position(), bytes);
        return bytes;
    }

    /** A record key {@code <db> 0x00 <key>} as {@code db/key} for the log. */
    private static String printable(byte[] recordKey) {
        return new String(recordKey, StandardCharsets.UTF_8).replace('\0', '/');
    }
}
