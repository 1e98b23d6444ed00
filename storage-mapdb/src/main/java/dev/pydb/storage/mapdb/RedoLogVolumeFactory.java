package dev.pydb.storage.mapdb;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import org.mapdb.volume.FileChannelVol;
import org.mapdb.volume.Volume;
import org.mapdb.volume.VolumeFactory;

/**
 * Makes MapDB's volumes: the store file's with {@code delegate}, in a {@link RedoLogVolume}; the
 * write-ahead-log files' always through a file channel ({@link FileChannelVol}), in an
 * {@link UnsyncedVolume}. MapDB's memory-mapped write-ahead log fails with a
 * {@code BufferOverflowException} once a transaction's log grows past a few MiB, and between
 * checkpoints it does.
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
            RedoLogVolume wrapped = new RedoLogVolume(volume, redoLog);
            storeVolume = wrapped;
            return wrapped;
        }
        return new UnsyncedVolume(FileChannelVol.FACTORY.makeVolume(file, readOnly, fileLockWait, sliceShift, initSize,
                fixedSize));
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
