package dev.pydb.storage.mapdb;

import org.mapdb.volume.Volume;

/**
 * A MapDB write-ahead-log file whose {@link #sync()} does nothing. MapDB 3.1.0 only reads its
 * log back within the running process (a commit copies records from it into the store file)
 * and never after a crash; durability comes from the {@link RedoLog}. So syncing the log is an
 * {@code fsync} per commit that protects nothing.
 */
final class UnsyncedVolume extends ForwardingVolume {
    UnsyncedVolume(Volume delegate) {
        super(delegate);
    }

    @Override
    public void sync() {
        // intentionally not synced: see the class comment
    }

    @Override
    public void deleteFile() {
        delegate.deleteFile();
    }
}
