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
import org.mapdb.DB;
import org.mapdb.DBException;
import org.mapdb.DBMaker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code mapdb} storage provider: every database in one transactional MapDB 3 file,
 * {@code <storage.path>/pydb.mapdb} (plus its write-ahead log files while open). Writes of
 * concurrent callers share commits (group commit); a write returns once its commit has been
 * synced to disk.
 *
 * <h2>Options ({@code storage.options})</h2>
 * <ul>
 *   <li>{@code commit_max_batch} (integer 1..65536, default 1024): the most write requests one
 *       commit may hold.</li>
 *   <li>{@code mmap} (boolean, default false): memory-map the file instead of reading it through
 *       a file channel. Faster reads on small stores; MapDB slows down badly with mmap and
 *       transactions once the file grows past about 2 GB.</li>
 * </ul>
 * Any other option is refused with a {@link dev.pydb.api.ConfigException}.
 *
 * <p>A store that was not closed cleanly is recovered from its write-ahead log on open; if that
 * is impossible the open fails with {@code UNAVAILABLE} naming the file. The header checksum is
 * never bypassed.
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
            Files.createDirectories(config.path());
        } catch (IOException e) {
            throw new PydbException(ErrorCode.UNAVAILABLE, config.path() + ": cannot create the storage directory: " + e, e);
        }
        DB db = openDb(file, options);
        MapdbStore store;
        try {
            store = MapdbStore.open(db, file.toString());
        } catch (PydbException e) {
            closeQuietly(db);
            throw e;
        } catch (RuntimeException e) {
            closeQuietly(db);
            throw unrecoverable(file, e);
        }
        log.info("opened MapDB storage {} (commit_max_batch={}, mmap={})", file, options.commitMaxBatch(), options.mmap());
        return new MapdbStorage(file, store, options);
    }

    private static DB openDb(Path file, MapdbOptions options) {
        DBMaker.Maker maker = DBMaker.fileDB(file.toFile()).transactionEnable();
        maker = options.mmap() ? maker.fileMmapEnableIfSupported().cleanerHackEnable() : maker.fileChannelEnable();
        try {
            return maker.make();
        } catch (DBException.FileLocked e) {
            throw new PydbException(ErrorCode.UNAVAILABLE, file + ": already in use (locked by another process or another open storage)", e);
        } catch (RuntimeException e) {
            // MapDB reports damage as DBException, but also as plain runtime exceptions from its deserializers.
            throw unrecoverable(file, e);
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

    private static void closeQuietly(DB db) {
        try {
            db.close();
        } catch (RuntimeException e) {
            log.warn("closing the MapDB store after a failed open failed too", e);
        }
    }
}
