package dev.pydb.storage.toolkit.wal;

import dev.pydb.storage.toolkit.file.DurableFiles;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * The segment the log appends to: its channel and where its valid content ends. Used by the
 * group-commit leader only (one at a time).
 *
 * <p>{@link FileChannel} is interruptible: an interrupt during a write or a force closes the
 * channel. A leader is a caller's thread, so an interrupt must not break the log: the channel is
 * reopened, the interrupted step is done again (writes are positional, so the same bytes go to
 * the same place), and the thread's interrupt status is restored afterwards.
 */
final class ActiveSegment implements Closeable {
    private static final Set<StandardOpenOption> WRITE = Set.of(StandardOpenOption.WRITE);
    private static final int MAX_INTERRUPTED_ATTEMPTS = 1000;

    /** A failed fsync (of the file or of its folder): the page cache can no longer be trusted. */
    static final class SyncFailedException extends IOException {
        private static final long serialVersionUID = 1L;

        SyncFailedException(Path file, IOException cause) {
            super("fsync of " + file + " failed: " + cause, cause);
        }
    }

    private final Path file;
    private final long firstSequence;
    private final ChannelOpener opener;
    private FileChannel channel;
    private long end;
    private boolean interrupted;

    private ActiveSegment(Path file, long firstSequence, ChannelOpener opener, FileChannel channel, long end) {
        this.file = file;
        this.firstSequence = firstSequence;
        this.opener = opener;
        this.channel = channel;
        this.end = end;
    }

    /**
     * Creates the segment starting at {@code firstSequence} in {@code directory}: header written
     * and synced, folder synced, so records in it can be acknowledged. On failure the file is
     * deleted again (a leftover of an earlier failed attempt with the same name is replaced).
     */
    static ActiveSegment create(Path directory, long firstSequence, ChannelOpener opener) throws IOException {
        Path file = directory.resolve(SegmentFormat.fileName(firstSequence));
        FileChannel channel = opener.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING));
        ActiveSegment segment = new ActiveSegment(file, firstSequence, opener, channel, 0);
        try {
            segment.write(SegmentFormat.segmentHeader(firstSequence), 0);
            segment.end = SegmentFormat.HEADER_BYTES;
            segment.force();
            try {
                DurableFiles.syncDirectory(directory);
            } catch (IOException e) {
                throw new SyncFailedException(directory, e);
            }
            segment.restoreInterrupt();
            return segment;
        } catch (IOException | RuntimeException e) {
            segment.restoreInterrupt();
            try {
                segment.close();
                Files.deleteIfExists(file);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Opens an existing segment whose valid content ends at {@code end}. */
    static ActiveSegment reopen(Path file, long firstSequence, long end, ChannelOpener opener) throws IOException {
        return new ActiveSegment(file, firstSequence, opener, opener.open(file, WRITE), end);
    }

    Path file() {
        return file;
    }

    long firstSequence() {
        return firstSequence;
    }

    /** Where the valid content ends: the next group is written here. */
    long end() {
        return end;
    }

    boolean hasRecords() {
        return end > SegmentFormat.HEADER_BYTES;
    }

    /** Writes all of {@code buffer} at {@code position} (not yet durable). */
    void write(ByteBuffer buffer, long position) throws IOException {
        int start = buffer.position();
        reopeningOnInterrupt(channel -> {
            buffer.position(start);
            long at = position;
            while (buffer.hasRemaining()) {
                at += channel.write(buffer, at);
            }
        });
    }

    /** The group written up to {@code newEnd} is complete: the next one goes after it. */
    void advanceTo(long newEnd) {
        end = newEnd;
    }

    /** {@code fdatasync}: makes everything written durable; {@link SyncFailedException} if it fails. */
    void force() throws IOException {
        reopeningOnInterrupt(channel -> {
            try {
                channel.force(false);
            } catch (ClosedByInterruptException e) {
                throw e;
            } catch (IOException e) {
                throw new SyncFailedException(file, e);
            }
        });
    }

    /** Cuts the file back to {@link #end()} (dropping a failed group's bytes) and syncs that. */
    void cutBack() throws IOException {
        reopeningOnInterrupt(channel -> channel.truncate(end));
        force();
    }

    /** One step on the channel; on an interrupt (which closes the channel) the channel is reopened and the step done again. */
    @FunctionalInterface
    private interface Step {
        void run(FileChannel channel) throws IOException;
    }

    private void reopeningOnInterrupt(Step step) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                step.run(channel);
                return;
            } catch (ClosedByInterruptException e) {
                Thread.interrupted();
                interrupted = true;
                if (attempt >= MAX_INTERRUPTED_ATTEMPTS) {
                    throw e;
                }
                channel = opener.open(file, WRITE);
            }
        }
    }

    /** Sets the calling thread's interrupt status again if an interrupt was absorbed. */
    void restoreInterrupt() {
        if (interrupted) {
            interrupted = false;
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
