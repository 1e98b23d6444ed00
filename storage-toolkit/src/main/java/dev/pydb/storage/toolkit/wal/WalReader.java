package dev.pydb.storage.toolkit.wal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Walks the segments of a log directory in order, hands every record after the backend's
 * checkpoint to a {@link RecordHandler}, and tells a {@link Listener} what it finds. It never
 * changes a file: replay ({@link WalReplay}) acts on what the listener hears, verification
 * ({@link WalVerifier}) reports it.
 *
 * <p>Rules (strict replay): segments whose records all precede the checkpoint are obsolete.
 * From the segment holding the record after the checkpoint on, every record must follow the one
 * before it without a gap, across segments too. Damage that can be a torn write is allowed only
 * in the last segment (only the last group is ever unsynced); anything else is damage.
 */
final class WalReader {
    /** What the walk finds, in file order. */
    interface Listener {
        /** {@code segment}'s records all precede the checkpoint. */
        void obsolete(Path segment);

        /** The last segment's header is torn (a crash while it was created; it holds no record). */
        void tornHeader(Path segment, long size, String problem);

        /** The last segment ends in a torn write from {@code offset} on. */
        void tornTail(Path segment, long offset, long bytes, String problem);

        /** Damage that is no torn write: a replay refuses the start; a verification goes on with the next segment. */
        void damage(Path segment, long offset, String problem);

        /** The handler refused a record whose checksum matched. */
        void badRecord(WalRecord record, CorruptRecordException e);

        /** Another file in the log folder. */
        default void foreignFile(Path file) {}
    }

    /** A segment the walk kept: its file, its first record and where its valid records end. */
    record Segment(Path file, long firstSequence, long validEnd) {}

    /**
     * The outcome: the segments kept (obsolete ones and a torn last header excluded), the last
     * record's sequence number (with no record: {@code afterSequence}, or the one before the first
     * segment's first), how many records were read, and how many records and bytes (headers
     * included) were handed to the handler.
     */
    record Outcome(List<Segment> segments, long lastRecord, long records, long replayed, long replayedBytes) {}

    private WalReader() {}

    /** The segment files in {@code directory} by first sequence number; other entries go to {@code foreignFile}. */
    static TreeMap<Long, Path> list(Path directory, Consumer<Path> foreignFile) throws IOException {
        TreeMap<Long, Path> segments = new TreeMap<>();
        if (!Files.isDirectory(directory)) {
            return segments;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                long first = SegmentFormat.firstSequenceOf(entry);
                if (first >= 1 && Files.isRegularFile(entry)) {
                    segments.put(first, entry);
                } else {
                    foreignFile.accept(entry);
                }
            }
        }
        return segments;
    }

    static Outcome read(Path directory, long afterSequence, RecordHandler handler, Listener listener) throws IOException {
        List<Long> firsts = new ArrayList<>(list(directory, listener::foreignFile).keySet());
        List<Path> files = firsts.stream().map(first -> directory.resolve(SegmentFormat.fileName(first))).toList();
        int start = -1;
        for (int i = 0; i < firsts.size(); i++) {
            if (firsts.get(i) <= afterSequence + 1) {
                start = i;
            }
        }
        if (start < 0 && !firsts.isEmpty()) {
            listener.damage(files.get(0), 0, "records " + (afterSequence + 1) + " to " + (firsts.get(0) - 1)
                    + " are missing: the store is checkpointed up to record " + afterSequence
                    + " and the oldest segment begins with record " + firsts.get(0));
            start = 0;
        }
        for (int i = 0; i < Math.max(start, 0); i++) {
            listener.obsolete(files.get(i));
        }
        List<Segment> kept = new ArrayList<>();
        long records = 0;
        long[] replayed = {0, 0};
        long expected = start < 0 ? afterSequence + 1 : firsts.get(start);
        for (int i = Math.max(start, 0); i < firsts.size(); i++) {
            Path file = files.get(i);
            long first = firsts.get(i);
            boolean last = i == firsts.size() - 1;
            if (first != expected) {
                listener.damage(file, 0, "records " + expected + " to " + (first - 1)
                        + " are missing: the previous segment ends with record " + (expected - 1)
                        + " and this one begins with record " + first);
            }
            SegmentScanner.Result result;
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                SegmentReader reader = new SegmentReader(channel, channel.size());
                result = SegmentScanner.scan(file, reader, first, record -> {
                    if (record.sequence() > afterSequence) {
                        try {
                            handler.accept(record);
                            replayed[0]++;
                            replayed[1] += SegmentFormat.RECORD_HEADER_BYTES + record.payload().length;
                        } catch (CorruptRecordException e) {
                            listener.badRecord(record, e);
                        }
                    }
                });
            } catch (CorruptRecordException e) {
                throw new AssertionError("the visitor reports bad records to the listener", e);
            }
            records += result.records();
            SegmentScanner.Damage damage = result.damage();
            if (damage == null) {
                kept.add(new Segment(file, first, result.validEnd()));
            } else if (result.headerDamaged()) {
                if (last && damage.tornPossible()) {
                    listener.tornHeader(file, Files.size(file), damage.problem());
                } else {
                    listener.damage(file, damage.offset(), damage.problem());
                }
            } else if (last && damage.tornPossible()) {
                listener.tornTail(file, damage.offset(), Files.size(file) - damage.offset(), damage.problem());
                kept.add(new Segment(file, first, result.validEnd()));
            } else {
                listener.damage(file, damage.offset(), damage.problem()
                        + (damage.tornPossible() ? " (and it is not the last segment)" : " (valid records of later writes follow it)"));
                kept.add(new Segment(file, first, result.validEnd()));
            }
            if (damage == null || (last && !result.headerDamaged())) {
                expected = result.lastSequence() + 1;
            } else if (!last) {
                expected = firsts.get(i + 1); // a verification goes on with the next segment's own numbering
            }
        }
        return new Outcome(List.copyOf(kept), expected - 1, records, replayed[0], replayed[1]);
    }
}
