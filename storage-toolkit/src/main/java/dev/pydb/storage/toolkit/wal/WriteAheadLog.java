package dev.pydb.storage.toolkit.wal;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.StorageClosedException;
import dev.pydb.storage.toolkit.file.DiskFailures;
import dev.pydb.storage.toolkit.file.DurableFiles;
import dev.pydb.storage.toolkit.file.FilePermissions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A write-ahead log shared by the storage backends: segment files of CRC-framed records, group
 * commit with one append and one {@code fdatasync} per group, strict replay, checkpoints and
 * truncation. docs/STORAGE-TOOLKIT.md describes the design, the file format and how each backend
 * plugs in.
 *
 * <h2>A commit</h2>
 * {@link #commit} runs on the caller's thread:
 * <ol>
 *   <li><b>prepare</b>, under the sequencer lock, in arrival order: the backend checks the request
 *       against its state including earlier requests that are not durable yet, records its
 *       changes as pending and returns the record ({@link Preparer}). A request the backend
 *       refuses goes through the queue without a record, so its error reaches the caller only
 *       once what it was checked against is published: a client that re-reads after a
 *       {@code CONFLICT} sees the revision that caused it;</li>
 *   <li><b>append and sync</b>: the first waiting caller leads (no thread hand-off): it takes
 *       every queued record (up to {@code maxGroupBytes}), writes them with one sequential write
 *       at the end of the current segment and calls {@code FileChannel.force(false)} once; the
 *       other callers park meanwhile and queue up for the next group;</li>
 *   <li><b>publish</b>, in sequence order, by the leader: {@link Prepared#publish} makes each
 *       request's changes visible; then the leader hands leadership to the first caller queued
 *       meanwhile, wakes its group's callers, and returns.</li>
 * </ol>
 *
 * <h2>Failures</h2>
 * A group that cannot be made durable fails as a whole, and so does every request prepared after
 * it (they were checked against its changes): {@link Prepared#abort} for each, in reverse order,
 * the segment cut back to where the group began, the sequence numbers reused. No space on the
 * disk (on the append or when a new segment is created) is answered {@code LIMIT_EXCEEDED}
 * "disk full: &lt;path&gt;" and the log goes on; a failed {@code fsync} (or any other write
 * error) poisons the log: every later write is {@code UNAVAILABLE} until a restart replays it.
 *
 * <h2>Checkpoints</h2>
 * The backend makes its own store durable up to a {@link #publishedPosition()} it read before, records
 * that sequence number in its store, then calls {@link #checkpoint}: segments whose records are all
 * at or before it are deleted.
 *
 * <p>Thread-safe. {@link #commit} must not be called from inside a {@link Preparer} or an action of
 * {@link #runQuiesced} (it would wait for itself).
 */
public final class WriteAheadLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WriteAheadLog.class);
    private static final int WAITING = 0;
    private static final int LEADING = 1;
    private static final int DONE = 2;
    private static final int MIN_WRITE_BUFFER_BYTES = 64 << 10;

    private final WalConfig config;
    private final String who;
    private final Path directory;

    private final ReentrantLock sequencer = new ReentrantLock();
    private final Condition idle = sequencer.newCondition();
    /** Prepared requests no leader has taken yet, in sequence order. Guarded by {@link #sequencer}. */
    private final ArrayDeque<Entry<?>> queue = new ArrayDeque<>();
    /** Guarded by {@link #sequencer}. */
    private long nextSequence;
    /** Whether a caller is leading a group; false means the queue is empty. Guarded by {@link #sequencer}. */
    private boolean leading;
    /** Guarded by {@link #sequencer}. */
    private int quiesceWaiters;
    /** Written under {@link #sequencer}. */
    private volatile boolean closed;

    /** Every segment file by first sequence number, the active one last. Guarded by itself. */
    private final TreeMap<Long, Path> segments;
    /** Used by the leader only (one at a time; the leadership hand-off orders them). */
    private ActiveSegment active;
    private ByteBuffer writeBuffer;
    private boolean diskFull;

    private volatile WalPosition published;
    private volatile WalPosition checkpointed;
    private volatile String failure;
    private volatile boolean rollRequested;
    private final AtomicLong syncs = new AtomicLong();

    private WriteAheadLog(WalConfig config, String who, TreeMap<Long, Path> segments, ActiveSegment active, long nextSequence,
            WalPosition published, WalPosition checkpointed) {
        this.config = config;
        this.who = who;
        this.directory = config.directory();
        this.segments = segments;
        this.active = active;
        this.nextSequence = nextSequence;
        this.published = published;
        this.checkpointed = checkpointed;
    }

    /**
     * Opens the log in {@code config.directory()} (creating it if needed) and replays it: every
     * record after {@code afterSequence} (the sequence number the backend's store is durable up
     * to) goes to {@code handler}, in order, before this returns. A torn last write is cut with a
     * WARN naming the file, offset and bytes; damage anywhere else, a gap, or a record the handler
     * refuses fails with {@code UNAVAILABLE} naming the file and offset.
     */
    public static WriteAheadLog open(WalConfig config, long afterSequence, RecordHandler handler) {
        requireNonNull(config, "config is null");
        requireNonNull(handler, "handler is null");
        if (afterSequence < 0) {
            throw new IllegalArgumentException("afterSequence must be >= 0, was " + afterSequence);
        }
        String who = config.storageName() + " storage";
        Path directory = config.directory();
        try {
            FilePermissions.createDirectories(directory);
            WalReader.Outcome outcome = WalReplay.run(directory, who, afterSequence, handler);
            long next = Math.max(outcome.lastRecord(), afterSequence) + 1;
            TreeMap<Long, Path> segments = new TreeMap<>();
            outcome.segments().forEach(segment -> segments.put(segment.firstSequence(), segment.file()));
            WalReader.Segment last = outcome.segments().isEmpty() ? null : outcome.segments().get(outcome.segments().size() - 1);
            ActiveSegment active;
            if (last != null && outcome.lastRecord() + 1 == next) {
                active = ActiveSegment.reopen(last.file(), last.firstSequence(), last.validEnd(), config.channels());
            } else {
                active = ActiveSegment.create(directory, next, config.channels());
                segments.put(next, active.file());
            }
            LOG.info("{}: write-ahead log {}: {} record(s) replayed after checkpoint {}; next record {}", who, directory,
                    outcome.replayed(), afterSequence, next);
            WriteAheadLog log = new WriteAheadLog(config, who, segments, active, next,
                    new WalPosition(next - 1, outcome.replayedBytes()), new WalPosition(afterSequence, 0));
            // a segment holding only checkpointed records is left behind at the next group, so a checkpoint can delete it
            log.rollRequested = active.hasRecords() && outcome.lastRecord() <= afterSequence;
            return log;
        } catch (IOException e) {
            throw new PydbException(ErrorCode.UNAVAILABLE, who + ": cannot open the write-ahead log in " + directory + ": "
                    + DiskFailures.describe(e) + (DiskFailures.isNoSpace(e) ? " (disk full)" : ""), e);
        }
    }

    /**
     * Prepares, logs and publishes one request (see the class comment) and returns what
     * {@link Prepared#publish} returned. Throws what the preparer threw, {@code LIMIT_EXCEEDED}
     * (disk full, or a record over 1 GiB), {@code UNAVAILABLE} (the log failed) or
     * {@link StorageClosedException}.
     */
    public <T> T commit(Preparer<T> preparer) {
        requireNonNull(preparer, "preparer is null");
        requireNotInsideTheSequencer();
        Entry<T> entry = null;
        sequencer.lock();
        try {
            while (quiesceWaiters > 0 && !closed) {
                idle.awaitUninterruptibly();
            }
            checkWritable();
            long sequence = nextSequence;
            Prepared<T> prepared;
            try {
                prepared = requireNonNull(preparer.prepare(sequence), "the preparer returned null");
            } catch (RuntimeException refused) {
                // answered in order, once what it was checked against is published (a re-read then sees it)
                prepared = null;
                entry = new Entry<>(refused);
                enqueue(entry);
            }
            if (prepared != null) {
                try {
                    entry = new Entry<>(sequence, prepared);
                } catch (RuntimeException | Error e) {
                    prepared.abort();
                    throw e;
                }
                nextSequence = sequence + 1;
                enqueue(entry);
            }
        } finally {
            sequencer.unlock();
        }
        if (entry.state != LEADING) {
            entry.awaitTurn();
        }
        if (entry.state == LEADING) {
            lead();
        }
        return entry.outcome();
    }

    /** Queues a prepared (or refused) request; the first one while nobody leads becomes the leader. Under the sequencer. */
    private void enqueue(Entry<?> entry) {
        queue.addLast(entry);
        if (!leading) {
            leading = true;
            entry.state = LEADING;
        }
    }

    /**
     * Runs {@code action} while no request is prepared or in flight: waits for the groups in
     * flight to be published (or to fail) and holds new requests back until it returns. For what
     * must not interleave with commits: creating or dropping a database, taking a consistent
     * snapshot. Throws {@link StorageClosedException} once closed; a poisoned log does not stop it
     * (call {@link #checkWritable} in the action if it writes).
     */
    public <T> T runQuiesced(Supplier<T> action) {
        requireNonNull(action, "action is null");
        requireNotInsideTheSequencer();
        sequencer.lock();
        try {
            quiesceWaiters++;
            try {
                while (leading) {
                    idle.awaitUninterruptibly();
                }
                if (closed) {
                    throw new StorageClosedException(config.storageName());
                }
                return action.get();
            } finally {
                quiesceWaiters--;
                idle.signalAll();
            }
        } finally {
            sequencer.unlock();
        }
    }

    /** Throws {@link StorageClosedException} once closed, {@code UNAVAILABLE} once poisoned. */
    public void checkWritable() {
        if (closed) {
            throw new StorageClosedException(config.storageName());
        }
        String reason = failure;
        if (reason != null) {
            throw unavailable(reason);
        }
    }

    /**
     * Records that the backend's store is durable up to {@code position} (a
     * {@link #publishedPosition()} read before the backend began): deletes the segments whose
     * records all lie at or before it, and reports the checkpoint's duration from
     * {@code startNanos} ({@link System#nanoTime()}) to the metrics. Call it only after the
     * backend's own sync completed and the sequence number is recorded in its store.
     */
    public void checkpoint(WalPosition position, long startNanos) {
        requireNonNull(position, "position is null");
        if (position.sequence() > published.sequence()) {
            throw new IllegalArgumentException("checkpoint at record " + position.sequence() + ", but only records up to "
                    + published.sequence() + " are published");
        }
        long through = position.sequence();
        List<Path> deleted = new ArrayList<>();
        synchronized (segments) {
            if (through > checkpointed.sequence()) {
                checkpointed = position;
            }
            List<Map.Entry<Long, Path>> all = new ArrayList<>(segments.entrySet());
            for (int i = 0; i + 1 < all.size() && all.get(i + 1).getKey() - 1 <= through; i++) {
                try {
                    Files.deleteIfExists(all.get(i).getValue());
                    segments.remove(all.get(i).getKey());
                    deleted.add(all.get(i).getValue());
                } catch (IOException e) {
                    LOG.warn("{}: cannot delete the checkpointed segment {} (the next checkpoint retries): {}", who,
                            all.get(i).getValue(), e.toString());
                    break;
                }
            }
            if (!all.isEmpty() && all.get(all.size() - 1).getKey() <= through) {
                rollRequested = true; // the next group starts a new segment, so the next checkpoint can delete this one
            }
        }
        if (!deleted.isEmpty()) {
            try {
                DurableFiles.syncDirectory(directory);
            } catch (IOException e) {
                LOG.warn("{}: syncing {} after deleting checkpointed segments failed (harmless: they are replayed as obsolete): {}",
                        who, directory, e.toString());
            }
            LOG.debug("{}: checkpoint at record {}: deleted {}", who, through, deleted);
        }
        config.metrics().checkpointCompleted(System.nanoTime() - startNanos);
    }

    /** The last record that is durable and published, and the bytes logged up to it since open. */
    public WalPosition publishedPosition() {
        return published;
    }

    /** The position of the last {@link #checkpoint} (at open: the {@code afterSequence} replayed after, 0 bytes). */
    public WalPosition checkpointedPosition() {
        return checkpointed;
    }

    /** Bytes of records logged since the last checkpoint (replayed ones included). */
    public long bytesSinceCheckpoint() {
        return published.bytes() - checkpointed.bytes();
    }

    /** Why the log refuses writes until a restart, if it does. */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    /** How many group commits (fdatasyncs of a segment) the log has done since open. */
    public long syncCount() {
        return syncs.get();
    }

    /** How many prepared requests wait for a leader to take them (for tests and metrics). */
    public int queuedRequests() {
        sequencer.lock();
        try {
            return queue.size();
        } finally {
            sequencer.unlock();
        }
    }

    /** The log's folder. */
    public Path directory() {
        return directory;
    }

    /** Lets the requests in flight finish, then closes the active segment; later commits throw {@link StorageClosedException}. Idempotent. */
    @Override
    public void close() {
        sequencer.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            idle.signalAll();
            while (leading) {
                idle.awaitUninterruptibly();
            }
        } finally {
            sequencer.unlock();
        }
        synchronized (segments) {
            try {
                active.close();
            } catch (IOException e) {
                LOG.warn("{}: closing {} failed: {}", who, active.file(), e.toString());
            }
        }
    }

    // ------------------------------------------------------------------ the leader

    private void lead() {
        List<Entry<?>> group = takeGroup();
        List<Entry<?>> records = group.stream().filter(Entry::isRecord).toList();
        Failure failed = records.isEmpty() ? null : appendAndSync(records);
        List<Entry<?>> finished;
        if (failed == null) {
            publish(group, records);
            finished = group;
        } else {
            finished = abortEverythingPending(group, records.get(0).sequence, failed);
        }
        handOff();
        Thread self = Thread.currentThread();
        for (Entry<?> entry : finished) {
            entry.state = DONE;
            if (entry.thread != self) {
                LockSupport.unpark(entry.thread);
            }
        }
        active.restoreInterrupt();
    }

    private List<Entry<?>> takeGroup() {
        sequencer.lock();
        try {
            List<Entry<?>> group = new ArrayList<>();
            long bytes = 0;
            while (!queue.isEmpty()) {
                Entry<?> next = queue.peekFirst();
                if (!group.isEmpty() && bytes + next.frameBytes() > config.maxGroupBytes()) {
                    break;
                }
                group.add(queue.pollFirst());
                bytes += next.frameBytes();
            }
            return group;
        } finally {
            sequencer.unlock();
        }
    }

    /** Appends the group and syncs it; null when durable, else why not (the segment is cut back). */
    private Failure appendAndSync(List<Entry<?>> group) {
        long first = group.get(0).sequence;
        if (active.hasRecords() && (rollRequested || active.end() >= config.segmentBytes())) {
            try {
                roll(first);
            } catch (IOException e) {
                return rollFailure(e);
            }
        }
        long start = active.end();
        long bytes = 0;
        for (int i = 0; i < group.size(); i++) {
            Entry<?> entry = group.get(i);
            entry.header = SegmentFormat.recordHeader(entry.payloadLength, entry.sequence, i, entry.crc);
            bytes += entry.frameBytes();
        }
        try {
            write(group, start, bytes);
        } catch (IOException e) {
            return writeFailure(e);
        }
        try {
            active.force();
        } catch (IOException e) {
            return syncFailure(e);
        }
        active.advanceTo(start + bytes);
        syncs.incrementAndGet();
        if (diskFull) {
            diskFull = false;
            LOG.info("{}: writes to {} succeed again", who, directory);
        }
        return null;
    }

    /** One sequential write of the group's frames, gathered in a direct buffer (in chunks if larger). */
    private void write(List<Entry<?>> group, long start, long bytes) throws IOException {
        ByteBuffer buffer = writeBuffer(bytes);
        long position = start;
        for (Entry<?> entry : group) {
            for (ByteBuffer part : new ByteBuffer[] {entry.header.duplicate(), entry.payload.duplicate()}) {
                while (part.hasRemaining()) {
                    if (!buffer.hasRemaining()) {
                        buffer.flip();
                        int length = buffer.remaining();
                        active.write(buffer, position);
                        position += length;
                        buffer.clear();
                    }
                    int n = Math.min(buffer.remaining(), part.remaining());
                    buffer.put(buffer.position(), part, part.position(), n);
                    buffer.position(buffer.position() + n);
                    part.position(part.position() + n);
                }
            }
        }
        buffer.flip();
        active.write(buffer, position);
        buffer.clear();
    }

    private ByteBuffer writeBuffer(long bytes) {
        int wanted = (int) Math.max(MIN_WRITE_BUFFER_BYTES, Math.min(bytes, config.maxGroupBytes()));
        if (writeBuffer == null || writeBuffer.capacity() < wanted) {
            writeBuffer = ByteBuffer.allocateDirect(wanted);
        }
        writeBuffer.clear();
        return writeBuffer;
    }

    private void roll(long firstSequence) throws IOException {
        ActiveSegment next = ActiveSegment.create(directory, firstSequence, config.channels());
        ActiveSegment previous = active;
        synchronized (segments) {
            segments.put(firstSequence, next.file());
            active = next;
        }
        rollRequested = false;
        try {
            previous.close();
        } catch (IOException e) {
            LOG.warn("{}: closing the full segment {} failed: {}", who, previous.file(), e.toString());
        }
    }

    private Failure rollFailure(IOException e) {
        if (e instanceof ActiveSegment.SyncFailedException) {
            return poison("fsync while starting a new segment in " + directory + " failed: " + DiskFailures.describe(e.getCause()),
                    DiskFailures.syncFailed(who, directory, e));
        }
        if (DiskFailures.isNoSpace(e)) {
            return noSpace(e, directory);
        }
        LOG.error("{}: cannot start a new segment in {}; this write fails, the log goes on in {}", who, directory,
                active.file(), e);
        return new Failure(ErrorCode.UNAVAILABLE, who + ": cannot start a new write-ahead log segment in " + directory + ": "
                + DiskFailures.describe(e) + "; nothing of this write was stored", e);
    }

    private Failure writeFailure(IOException e) {
        try {
            active.cutBack();
        } catch (IOException cut) {
            e.addSuppressed(cut);
            return poison("cannot cut " + active.file() + " back to offset " + active.end() + " after a failed write: "
                    + DiskFailures.describe(cut), null);
        }
        if (DiskFailures.isNoSpace(e)) {
            return noSpace(e, active.file());
        }
        return poison("writing " + active.file() + " failed: " + DiskFailures.describe(e), null);
    }

    private Failure syncFailure(IOException e) {
        Failure failed = poison("fsync of " + active.file() + " failed: " + DiskFailures.describe(e.getCause() == null ? e : e.getCause()),
                DiskFailures.syncFailed(who, active.file(), e));
        try {
            active.cutBack(); // best effort: a restart should not find the failed group
        } catch (IOException cut) {
            LOG.warn("{}: cutting {} back to offset {} after the failed fsync failed too: {}", who, active.file(), active.end(),
                    cut.toString());
        }
        return failed;
    }

    private Failure noSpace(IOException e, Path path) {
        if (!diskFull) {
            diskFull = true;
            LOG.warn("{}: disk full: {} ({}); writes fail with LIMIT_EXCEEDED until there is room again, reads go on", who, path,
                    DiskFailures.describe(e));
        }
        PydbException error = DiskFailures.diskFull(who, path, e);
        return new Failure(error.code(), error.getMessage(), e);
    }

    private Failure poison(String reason, PydbException error) {
        if (failure == null) {
            failure = reason;
            LOG.error("{}: {}; every later write is refused until the server restarts and recovers from the log (reads go on)",
                    who, reason);
        }
        PydbException answer = error != null ? error : unavailable(failure);
        return new Failure(answer.code(), answer.getMessage(), answer.getCause());
    }

    private PydbException unavailable(String reason) {
        return new PydbException(ErrorCode.UNAVAILABLE, who + ": the write-ahead log failed (" + reason
                + "); writes are refused: restart the server to recover from the log");
    }

    /** Publishes the group's records in order (refused requests in it just keep their error). */
    private void publish(List<Entry<?>> group, List<Entry<?>> records) {
        if (records.isEmpty()) {
            return;
        }
        long bytes = 0;
        for (Entry<?> entry : records) {
            entry.publish();
            bytes += entry.frameBytes();
        }
        Entry<?> last = records.get(records.size() - 1);
        WalPosition position = new WalPosition(last.sequence, published.bytes() + bytes);
        published = position;
        config.metrics().commitCompleted(records.size(), bytes, System.nanoTime() - records.get(0).arrivalNanos);
        if (position.bytes() - checkpointed.bytes() >= config.checkpointAfterBytes()) {
            try {
                config.checkpointDue().run();
            } catch (RuntimeException e) {
                LOG.warn("{}: the checkpoint signal failed: {}", who, e.toString());
            }
        }
    }

    /** Aborts the failed group and everything prepared after it; returns them all, failed. */
    private List<Entry<?>> abortEverythingPending(List<Entry<?>> group, long firstSequence, Failure failed) {
        sequencer.lock();
        try {
            List<Entry<?>> all = new ArrayList<>(group);
            all.addAll(queue);
            queue.clear();
            for (int i = all.size() - 1; i >= 0; i--) {
                all.get(i).abort(failed);
            }
            nextSequence = firstSequence;
            return all;
        } finally {
            sequencer.unlock();
        }
    }

    private void handOff() {
        sequencer.lock();
        try {
            Entry<?> next = queue.peekFirst();
            if (next == null) {
                leading = false;
                idle.signalAll();
            } else {
                next.state = LEADING;
                LockSupport.unpark(next.thread);
            }
        } finally {
            sequencer.unlock();
        }
    }

    private void requireNotInsideTheSequencer() {
        if (sequencer.isHeldByCurrentThread()) {
            throw new IllegalStateException(who + ": a write cannot start while the same thread prepares another one"
                    + " (an update function must not change the storage: it would wait for itself)");
        }
    }

    /** Why a group failed; each caller gets an exception of its own. */
    private record Failure(ErrorCode code, String message, Throwable cause) {
        PydbException exception() {
            return new PydbException(code, message, cause);
        }
    }

    /** One prepared request on its way through the pipeline. */
    private final class Entry<T> {
        final long sequence;
        final Prepared<T> prepared;
        final ByteBuffer payload;
        final int payloadLength;
        final CRC32C crc = new CRC32C();
        final long arrivalNanos = System.nanoTime();
        final Thread thread = Thread.currentThread();
        /** Set by the leader before it writes. */
        ByteBuffer header;
        volatile int state = WAITING;
        private T result;
        private RuntimeException error;

        /** A request its preparer refused: it carries its error through the queue, with no record. */
        Entry(RuntimeException refused) {
            this.sequence = -1;
            this.prepared = null;
            this.payload = null;
            this.payloadLength = 0;
            this.error = refused;
        }

        Entry(long sequence, Prepared<T> prepared) {
            this.sequence = sequence;
            this.prepared = prepared;
            this.payload = requireNonNull(prepared.payload(), "the payload is null").duplicate();
            this.payloadLength = payload.remaining();
            if (payloadLength > SegmentFormat.MAX_PAYLOAD_BYTES) {
                throw new PydbException(ErrorCode.LIMIT_EXCEEDED, who + ": a write of " + payloadLength
                        + " bytes is larger than the write-ahead log's limit of " + SegmentFormat.MAX_PAYLOAD_BYTES + " bytes");
            }
            crc.update(payload.duplicate());
        }

        boolean isRecord() {
            return prepared != null;
        }

        long frameBytes() {
            return prepared == null ? 0 : SegmentFormat.RECORD_HEADER_BYTES + (long) payloadLength;
        }

        void publish() {
            try {
                result = prepared.publish();
            } catch (Throwable e) {
                LOG.error("{}: publishing record {} failed after it was made durable", who, sequence, e);
                error = poison("publishing record " + sequence + " failed after it was made durable: " + e, null).exception();
            }
        }

        void abort(Failure failed) {
            try {
                if (prepared != null) {
                    prepared.abort();
                }
            } catch (Throwable e) {
                LOG.error("{}: aborting record {} failed", who, sequence, e);
                poison("aborting record " + sequence + " failed: " + e, null);
            }
            error = failed.exception();
        }

        /** Parks until a leader finished this request or handed leadership to it. */
        void awaitTurn() {
            boolean interrupted = false;
            while (state == WAITING) {
                LockSupport.park(WriteAheadLog.this);
                if (Thread.interrupted()) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        T outcome() {
            if (state != DONE) {
                throw new IllegalStateException("record " + sequence + " is not finished");
            }
            if (error != null) {
                throw error;
            }
            return result;
        }
    }
}
