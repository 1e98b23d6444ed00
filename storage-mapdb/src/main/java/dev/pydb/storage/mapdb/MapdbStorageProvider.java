package dev.pydb.storage.mapdb;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageContext;
import dev.pydb.api.storage.StorageProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.pydb.api.storage.StorageVerifier;
import dev.pydb.storage.toolkit.file.FilePermissions;
import java.util.Optional;
import org.mapdb.CC;
import org.mapdb.DB;
import org.mapdb.DBException;
import org.mapdb.StoreWAL;
import org.mapdb.volume.FileChannelVol;
import org.mapdb.volume.MappedFileVol;
import org.mapdb.volume.VolumeFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code mapdb} storage provider: every database in one transactional MapDB 3 file,
 * {@code <storage.path>/pydb.mapdb} (plus its write-ahead log files while open) and the operation
 * log {@code pydb.mapdb.oplog}. Writes of concurrent callers share group commits: a write returns
 * once its group's record in the operation log has been synced; MapDB itself commits at
 * checkpoints ({@link MapdbStore}).
 *
 * <h2>Options ({@code storage.options})</h2>
 * <ul>
 *   <li>{@code commit_max_batch} (integer 1..65536, default 1024): the most write requests one
 *       commit may hold.</li>
 *   <li>{@code mmap} (boolean, default false): memory-map the file instead of reading it through
 *       a file channel. Faster reads on small stores; MapDB slows down badly with mmap and
 *       transactions once the file grows past about 2 GB.</li>
 *   <li>{@code checkpoint_ops} (integer 1..16777216, default 16384): checkpoint once this many
 *       operations were logged since the last checkpoint (or the log holds 64 MiB).</li>
 * </ul>
 * Any other option is refused with a {@link dev.pydb.api.ConfigException}.
 *
 * <p>MapDB 3.1.0 does not replay its write-ahead log after a crash and overwrites the store
 * file in place while it commits, so each checkpoint's file writes go through a {@link RedoLog}
 * ({@code pydb.mapdb.redo}) first; on open, the redo log of a checkpoint a crash interrupted is
 * re-applied, then the operation log's records after the last checkpoint are replayed. A store that still cannot be opened fails with {@code UNAVAILABLE} naming the
 * file. The header checksum is never bypassed. {@code pydb.mapdb.lock} keeps a second open out.
 */
public final class MapdbStorageProvider implements StorageProvider {
    /** The provider's name in {@code storage.provider}. */
    public static final String NAME = "mapdb";
    /** The store's file name inside {@code storage.path}. */
    public static final String FILE_NAME = "pydb.mapdb";

    private static final Logger log = LoggerFactory.getLogger(MapdbStorageProvider.class);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Storage open(StorageConfig config, StorageContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        MapdbOptions options = MapdbOptions.from(config.options());
        Path file = config.path().resolve(FILE_NAME);
        try {
            FilePermissions.createDirectories(config.path());
            deleteStaleWalFiles(file);
        } catch (IOException e) {
            throw new PydbException(ErrorCode.UNAVAILABLE, config.path() + ": cannot create the storage directory: " + e, e);
        }
        StoreLock lock = StoreLock.acquire(config.path().resolve(FILE_NAME + ".lock"), file);
        MapdbStore store;
        try {
            OperationLog operationLog = openOperationLog(file);
            try {
                store = MapdbStore.open(() -> openDb(file, options), file, operationLog, options.checkpoints());
            } catch (PydbException e) {
                closeQuietly(operationLog);
                throw e;
            } catch (RuntimeException e) {
                closeQuietly(operationLog);
                throw unrecoverable(file, e);
            }
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
        log.info("opened MapDB storage {} (commit_max_batch={}, mmap={}, checkpoint_ops={})", file,
                options.commitMaxBatch(), options.mmap(), options.checkpointOps());
        return new MapdbStorage(file, store, options, lock);
    }

    /** {@code bin/pydb verify}: {@link MapdbVerifier}. */
    @Override
    public Optional<StorageVerifier> verifier() {
        return Optional.of(new MapdbVerifier());
    }

    /**
     * Opens the store the way {@code DBMaker.fileDB(file).transactionEnable().make()} does, but
     * with the store file's volume wrapped in a {@link RedoLogVolume}, after re-applying or
     * discarding the redo log of a commit a crash interrupted.
     */
    static MapdbStore.OpenedDb openDb(Path file, MapdbOptions options) {
        RedoLog redoLog = new RedoLog(file.resolveSibling(file.getFileName() + ".redo"));
        if (Files.exists(file)) {
            redoLog.recover(file);
        }
        VolumeFactory files = options.mmap() ? new MappedFileVol.MappedFileFactory(true, false) : FileChannelVol.FACTORY;
        RedoLogVolumeFactory volumes = new RedoLogVolumeFactory(files, file, redoLog);
        try {
            boolean exists = volumes.exists(file.toString());
            StoreWAL store = StoreWAL.make(file.toString(), volumes, 0L, true, CC.STORE_DIRECT_CONC_SHIFT, CC.PAGE_SIZE, 0L,
                    false, false, false, true, false);
            DB db = new DB(store, exists, true, MapdbStorageProvider.class.getClassLoader(), 0);
            FilePermissions.restrict(file);
            return new MapdbStore.OpenedDb(db, volumes::discardPending);
        } catch (DBException.FileLocked e) {
            throw new PydbException(ErrorCode.UNAVAILABLE, file + ": already in use (locked by another process or another open storage)", e);
        } catch (IOException e) {
            throw new PydbException(ErrorCode.UNAVAILABLE, file + ": cannot set the file's permissions: " + e, e);
        } catch (RuntimeException e) {
            // MapDB reports damage as DBException, but also as plain runtime exceptions from its deserializers.
            throw unrecoverable(file, e);
        }
    }

    /**
     * Deletes MapDB write-ahead-log files an older version left ({@code pydb.mapdb.wal.*}): MapDB
     * never replays them, and its log now lives in memory.
     */
    private static void deleteStaleWalFiles(Path file) throws IOException {
        try (var stale = Files.newDirectoryStream(file.getParent(), file.getFileName() + ".wal.*")) {
            for (Path wal : stale) {
                Files.deleteIfExists(wal);
            }
        }
    }

    private static PydbException unrecoverable(Path file, RuntimeException e) {
        log.error("cannot open MapDB storage {}", file, e);
        return new PydbException(ErrorCode.UNAVAILABLE, file + ": the store is damaged: " + reason(e)
                + " (not closed cleanly and could not be recovered); restore it from a backup", e);
    }

    /** The first sentence of MapDB's message (the rest may advise bypassing the checksum), or the exception's type. */
    private static String reason(RuntimeException e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName();
        }
        int end = message.indexOf(". ");
        return end < 0 ? message : message.substring(0, end);
    }

    private static OperationLog openOperationLog(Path file) {
        Path path = file.resolveSibling(file.getFileName() + ".oplog");
        try {
            return OperationLog.open(path);
        } catch (IOException e) {
            throw new PydbException(ErrorCode.UNAVAILABLE, path + ": cannot open the operation log: " + e, e);
        }
    }

    private static void closeQuietly(OperationLog operationLog) {
        if (operationLog != null) {
            try {
                operationLog.close();
            } catch (IOException e) {
                log.warn("closing the operation log after a failed open failed too", e);
            }
        }
    }
}
