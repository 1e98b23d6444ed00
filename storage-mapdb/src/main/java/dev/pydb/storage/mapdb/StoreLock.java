package dev.pydb.storage.mapdb;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import dev.pydb.storage.toolkit.file.FilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An exclusive lock on {@code pydb.mapdb.lock}, taken before the redo log is recovered so that
 * no second open (in this process or another) can touch a store that is in use.
 */
final class StoreLock implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StoreLock.class);

    private final FileChannel channel;
    private final FileLock lock;

    private StoreLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static StoreLock acquire(Path lockFile, Path storeFile) {
        requireNonNull(lockFile, "lockFile is null");
        FileChannel channel;
        try {
            channel = FilePermissions.open(lockFile, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE));
        } catch (IOException e) {
            throw new PydbException(ErrorCode.UNAVAILABLE, lockFile + ": cannot open the lock file: " + e, e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException | IOException e) {
            lock = null;
        }
        if (lock == null) {
            closeQuietly(channel);
            throw new PydbException(ErrorCode.UNAVAILABLE, storeFile + ": already in use (locked by another process or another open storage)");
        }
        return new StoreLock(channel, lock);
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            log.warn("cannot release the store lock", e);
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            log.warn("cannot close the lock file", e);
        }
    }
}
