package dev.pydb.storage.mapdb;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.mapdb.DataInput2;
import org.mapdb.volume.Volume;

/**
 * The store file's {@link Volume}, made crash-atomic with a {@link RedoLog}: writes are held in
 * memory (reads see them) until {@link #sync()}, which logs them durably, then applies and syncs
 * them. MapDB's {@code StoreWAL} writes the store file only inside {@code commit()}, which ends
 * with this sync, so each commit reaches the file all or nothing.
 */
final class RedoLogVolume extends ForwardingVolume {
    private static final int ZEROS = 1 << 16;

    private final Path file;
    private final RedoLog redoLog;
    private final List<RedoLog.Write> pending = new ArrayList<>();
    private volatile boolean hasPending;
    /** The length the store file must have for the pending writes (MapDB's ensureAvailable, the writes' ends). */
    private long requiredLength;

    RedoLogVolume(Volume delegate, Path file, RedoLog redoLog) {
        super(delegate);
        this.file = requireNonNull(file, "file is null");
        this.redoLog = requireNonNull(redoLog, "redoLog is null");
        this.requiredLength = delegate.length();
    }

    /** Drops the writes of a commit that failed before its sync (MapDB then rolls back). */
    synchronized void discardPending() {
        pending.clear();
        hasPending = false;
        requiredLength = delegate.length();
    }

    /**
     * Not passed on: the store file grows only in {@link #sync()}, where the new space is written
     * with zeros before anything else (see there).
     */
    @Override
    public synchronized void ensureAvailable(long offset) {
        requiredLength = Math.max(requiredLength, offset);
    }

    @Override
    public synchronized long length() {
        return Math.max(delegate.length(), requiredLength);
    }

    /**
     * Makes the pending writes durable, all or nothing: (1) the store file is grown to the length
     * they need by writing zeros (so that no later write into it can fail for lack of space: a
     * file grown by {@code ftruncate} would be sparse), cut back if that fails; (2) the writes go
     * to the redo log, which is synced (on failure the store file is cut back and untouched);
     * (3) they are written to the store file, which is synced; (4) the redo log is emptied. A full
     * disk can thus fail only steps 1 and 2, before the store file changed.
     */
    @Override
    public synchronized void sync() {
        if (!pending.isEmpty()) {
            long oldSize;
            try {
                oldSize = preallocate(requiredLength);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot grow the store file " + file + " to " + requiredLength + " bytes", e);
            }
            try {
                redoLog.write(pending);
            } catch (IOException e) {
                cutBack(oldSize, e);
                throw new UncheckedIOException("cannot write the redo log " + redoLog.path(), e);
            }
            delegate.ensureAvailable(requiredLength);
            for (RedoLog.Write write : pending) {
                delegate.putData(write.offset(), write.data(), 0, write.data().length);
            }
            discardPending();
            try {
                delegate.sync();
            } catch (RuntimeException e) {
                throw new UncheckedIOException(new SyncFailedException("fsync of the store file failed", e));
            }
            try {
                redoLog.clear();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot clear the redo log " + redoLog.path(), e);
            }
        } else {
            delegate.sync();
        }
    }

    private synchronized void put(long offset, byte[] data) {
        pending.add(new RedoLog.Write(offset, data));
        hasPending = true;
        requiredLength = Math.max(requiredLength, offset + data.length);
    }

    /** Grows the store file to {@code length} bytes by writing zeros; returns its old size. On failure it is cut back. */
    private long preallocate(long length) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            long size = channel.size();
            if (length <= size) {
                return size;
            }
            try {
                ByteBuffer zeros = ByteBuffer.allocate(ZEROS);
                for (long at = size; at < length; ) {
                    zeros.clear().limit((int) Math.min(ZEROS, length - at));
                    at += channel.write(zeros, at);
                }
            } catch (IOException e) {
                channel.truncate(size);
                throw e;
            }
            return size;
        }
    }

    private void cutBack(long size, IOException cause) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            if (channel.size() > size) {
                channel.truncate(size);
            }
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    @Override
    public void putLong(long offset, long value) {
        put(offset, ByteBuffer.allocate(Long.BYTES).putLong(value).array());
    }

    @Override
    public void putInt(long offset, int value) {
        put(offset, ByteBuffer.allocate(Integer.BYTES).putInt(value).array());
    }

    @Override
    public void putByte(long offset, byte value) {
        put(offset, new byte[] {value});
    }

    @Override
    public void putData(long offset, byte[] src, int srcPos, int srcSize) {
        byte[] data = new byte[srcSize];
        System.arraycopy(src, srcPos, data, 0, srcSize);
        put(offset, data);
    }

    @Override
    public void putData(long offset, ByteBuffer buf) {
        byte[] data = new byte[buf.remaining()];
        buf.get(data);
        put(offset, data);
    }

    @Override
    public void clear(long startOffset, long endOffset) {
        put(startOffset, new byte[Math.toIntExact(endOffset - startOffset)]);
    }

    @Override
    public long getLong(long offset) {
        return hasPending ? ByteBuffer.wrap(read(offset, Long.BYTES)).getLong() : delegate.getLong(offset);
    }

    @Override
    public int getInt(long offset) {
        return hasPending ? ByteBuffer.wrap(read(offset, Integer.BYTES)).getInt() : delegate.getInt(offset);
    }

    @Override
    public byte getByte(long offset) {
        return hasPending ? read(offset, 1)[0] : delegate.getByte(offset);
    }

    @Override
    public DataInput2 getDataInput(long offset, int size) {
        return hasPending ? new DataInput2.ByteArray(read(offset, size)) : delegate.getDataInput(offset, size);
    }

    @Override
    public void getData(long offset, byte[] bytes, int bytesPos, int size) {
        if (hasPending) {
            System.arraycopy(read(offset, size), 0, bytes, bytesPos, size);
        } else {
            delegate.getData(offset, bytes, bytesPos, size);
        }
    }

    /** Reads through the pending writes, later writes winning. */
    private synchronized byte[] read(long offset, int size) {
        byte[] result = new byte[size];
        long available = delegate.length();
        if (offset < available) {
            delegate.getData(offset, result, 0, (int) Math.min(size, available - offset));
        }
        for (RedoLog.Write write : pending) {
            long from = Math.max(offset, write.offset());
            long to = Math.min(offset + size, write.offset() + write.data().length);
            if (from < to) {
                System.arraycopy(write.data(), (int) (from - write.offset()), result, (int) (from - offset), (int) (to - from));
            }
        }
        return result;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            discardPending();
            delegate.close();
            try {
                redoLog.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot close the redo log " + redoLog.path(), e);
            }
        }
    }

}
