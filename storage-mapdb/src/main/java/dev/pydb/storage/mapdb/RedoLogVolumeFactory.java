package dev.pydb.storage.mapdb;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import org.mapdb.volume.ByteArrayVol;
import org.mapdb.volume.Volume;
import org.mapdb.volume.VolumeFactory;

/**
 * Makes MapDB's volumes: the store file's with {@code delegate}, in a {@link RedoLogVolume}; the
 * write-ahead-log "files" in memory ({@link ByteArrayVol}). MapDB 3.1.0 reads its write-ahead log
 * only inside a running commit, never after a crash (durability comes from the operation log and
 * the {@link RedoLog}), and it writes to it on every change of its open transaction: on a file, a
 * full disk failed such a write in the middle of a B-tree update and left MapDB's in-memory index
 * pointing at bytes that never landed (issue 11: every later read failed, and the next checkpoint
 * committed the damage). In memory, applying a change never touches the disk; only the operation
 * log's appends and the checkpoints do. The price: the open transaction's log is on the heap, at
 * most about what the operation log holds between checkpoints ({@code checkpoint_ops}, 64 MiB).
 */
final class RedoLogVolumeFactory extends VolumeFactory {
    private final VolumeFactory delegate;
    private final Path storeFile;
    private final RedoLog redoLog;
    private volatile RedoLogVolume storeVolume;

    RedoLogVolumeFactory(VolumeFactory delegate, Path storeFile, RedoLog redoLog) {
        this.delegate = requireNonNull(delegate, "delegate is null");
        this.storeFile = requireNonNull(storeFile, "storeFile is null");
        this.redoLog = requireNonNull(redoLog, "redoLog is null");
    }

    @Override
    public Volume makeVolume(String file, boolean readOnly, long fileLockWait, int sliceShift, long initSize,
            boolean fixedSize) {
        if (file != null && Path.of(file).equals(storeFile)) {
            Volume volume = delegate.makeVolume(file, readOnly, fileLockWait, sliceShift, initSize, fixedSize);
            RedoLogVolume wrapped = new RedoLogVolume(volume, storeFile, redoLog);
            storeVolume = wrapped;
            return wrapped;
        }
        // MapDB's write-ahead log lives in memory: see the class comment
        return ByteArrayVol.FACTORY.makeVolume(file, readOnly, fileLockWait, sliceShift, initSize, fixedSize);
    }

    @Override
    public boolean exists(String file) {
        return delegate.exists(file);
    }

    @Override
    public boolean handlesReadonly() {
        return delegate.handlesReadonly();
    }

    /** Drops the store-file writes of a failed commit, if the store volume exists. */
    void discardPending() {
        RedoLogVolume volume = storeVolume;
        if (volume != null) {
            volume.discardPending();
        }
    }
}
