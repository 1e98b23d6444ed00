package dev.pydb.storage.toolkit.wal;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a log folder offline, for {@code bin/pydb verify}: reads every segment and every record,
 * checks every checksum and the numbering, hands the records after the checkpoint to a handler
 * (which checks their content), and reports each damage instead of stopping at the first. Never
 * changes a file. A torn last write (what a crash leaves; the next open cuts it, it was never
 * acknowledged) is not damage: it is reported in {@link Result#tornTailBytes}.
 */
public final class WalVerifier {
    private WalVerifier() {}

    /** One damaged place: a segment file, an offset in it, and what is wrong. */
    public record Problem(Path file, long offset, String problem) {
        public Problem {
            requireNonNull(file, "file is null");
            requireNonNull(problem, "problem is null");
        }
    }

    /** What was read: segments, records (all, and after the checkpoint), the torn tail, and every damage. */
    public record Result(long segments, long records, long recordsAfterCheckpoint, long tornTailBytes, List<Problem> problems) {
        public Result {
            problems = List.copyOf(problems);
        }
    }

    /** Verifies the log in {@code directory} for a store checkpointed up to {@code afterSequence}. */
    public static Result verify(Path directory, long afterSequence, RecordHandler handler) throws IOException {
        requireNonNull(directory, "directory is null");
        requireNonNull(handler, "handler is null");
        List<Problem> problems = new ArrayList<>();
        long[] torn = {0};
        int segments = WalReader.list(directory, file -> {}).size();
        WalReader.Outcome outcome = WalReader.read(directory, afterSequence, handler, new WalReader.Listener() {
            @Override
            public void obsolete(Path segment) {}

            @Override
            public void tornHeader(Path segment, long size, String problem) {
                torn[0] += size;
            }

            @Override
            public void tornTail(Path segment, long offset, long bytes, String problem) {
                torn[0] += bytes;
            }

            @Override
            public void damage(Path segment, long offset, String problem) {
                problems.add(new Problem(segment, offset, problem));
            }

            @Override
            public void badRecord(WalRecord record, CorruptRecordException e) {
                problems.add(new Problem(record.segment(), record.offset(), "record " + record.sequence()
                        + " has a matching checksum but invalid content: " + e.getMessage()));
            }
        });
        return new Result(segments, outcome.records(), outcome.replayed(), torn[0], problems);
    }
}
