package dev.pydb.engine.server;

import static java.util.Objects.requireNonNull;

import dev.pydb.engine.StartupException;
import dev.pydb.engine.files.OwnerOnlyFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exclusive lock on a storage folder ({@code <storage.path>/pydb.lock}) that keeps a second
 * server off the same data. Held from before the storage opens until after it closes. The file is
 * left in place (deleting lock files races); the operating system drops the lock if the process dies.
 */
public final class StorageLock implements AutoCloseable {
    public static final String FILE_NAME = "pydb.lock";

    private static final Logger LOG = LoggerFactory.getLogger(StorageLock.class);

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private StorageLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Creates {@code directory} if needed (0700, like its missing parents; the lock file 0600) and
     * locks it, or fails at once if another server holds it. An existing folder that other users
     * may read is logged as a warning.
     */
    public static StorageLock acquire(Path directory) {
        requireNonNull(directory, "directory is null");
        Path file = directory.resolve(FILE_NAME);
        FileChannel channel = null;
        try {
            boolean existed = Files.isDirectory(directory);
            OwnerOnlyFiles.createFolders(directory);
            if (existed) {
                OwnerOnlyFiles.looseMode(directory).ifPresent(mode -> LOG.warn("the storage folder {} can be used by other"
                        + " users of this machine (mode {}): chmod 700 it", directory, mode));
            }
            OwnerOnlyFiles.createFile(file);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new StartupException("another py_db server is using " + directory);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
            return new StorageLock(file, channel, lock);
        } catch (OverlappingFileLockException e) {
            closeQuietly(channel);
            throw new StartupException("another py_db server is using " + directory);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new StartupException("cannot lock the storage folder " + directory + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    public Path file() {
        return file;
    }

    /** Releases the lock; idempotent. */
    @Override
    public void close() {
        try {
            if (lock.isValid()) {
                lock.release();
            }
            channel.close();
        } catch (IOException e) {
            throw new StartupException("cannot release the lock " + file + ": " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the lock was not taken; nothing to release
            }
        }
    }
}
