package dev.pydb.storage.lmdb;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageContext;
import dev.pydb.api.storage.StorageProvider;
import dev.pydb.api.storage.StorageVerifier;
import dev.pydb.storage.toolkit.file.FilePermissions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code lmdb} storage provider: documents in one LMDB environment (lmdbjava) in the
 * directory {@code storage.path} ({@code data.mdb}, {@code lock.mdb}).
 *
 * <h2>Options ({@code storage.options})</h2>
 * <ul>
 *   <li>{@code map_size_bytes} (default 1 GiB, 64 KiB to 16 TiB): the most the data file may
 *       grow to. A write that does not fit (or finds the disk full) fails with
 *       {@code LIMIT_EXCEEDED} and is not applied; raise the option and restart to make room.</li>
 *   <li>{@code max_readers} (default 1024): read transactions open at once; more readers wait.</li>
 *   <li>{@code write_map} (default false): {@code MDB_WRITEMAP}; needs room on the disk for the
 *       whole map at start.</li>
 * </ul>
 *
 * <h2>Layout</h2>
 * Three LMDB databases: {@code documents} (key {@code <db> 0x00 <key UTF-8>}, value the toolkit's
 * checksummed stored-value format 2), {@code databases} (key = database name, value = the
 * checksummed document count, updated in the same transaction as the documents) and {@code meta}
 * ({@code format_version} = 2; a 0.1.0 store, version 1, is upgraded in place at the first open).
 * Keys sort by unsigned bytes, which is {@link dev.pydb.api.storage.KeyOrder}. Every value read is
 * verified; a damaged one answers {@code CORRUPTED}.
 *
 * <h2>Damaged files</h2>
 * Before LMDB maps {@code data.mdb}, the {@link DataFileCheck} checks it against its own meta
 * pages, so a truncated or damaged file refuses the start with {@code UNAVAILABLE} instead of
 * killing the JVM with SIGBUS. {@link #verifier()} checks a stopped store without LMDB.
 *
 * <h2>Transactions</h2>
 * Commits are durable (no {@code MDB_NOSYNC}/{@code MDB_MAPASYNC}). All write transactions run on
 * one platform thread that commits the batches of many callers together (group commit); each batch
 * is checked before any of it is written, so it stays atomic on its own. Reads use read-only
 * transactions on the caller's thread ({@code MDB_NOTLS}, so virtual threads are fine).
 *
 * <p>The JVM needs {@code --add-opens java.base/java.nio=ALL-UNNAMED --add-opens
 * java.base/sun.nio.ch=ALL-UNNAMED --enable-native-access=ALL-UNNAMED}. A path can be open only
 * once per process.
 */
public final class LmdbStorageProvider implements StorageProvider {
    private static final Set<Path> OPEN_PATHS = ConcurrentHashMap.newKeySet();
    private static final Logger LOG = LoggerFactory.getLogger(LmdbStorageProvider.class);

    @Override
    public String name() {
        return LmdbStorage.NAME;
    }

    @Override
    public Storage open(StorageConfig config, StorageContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        LmdbOptions options = LmdbOptions.from(config.options());
        Path path = createDirectory(config.path());
        if (!OPEN_PATHS.add(path)) {
            throw new PydbException(ErrorCode.UNAVAILABLE, "the lmdb data in " + path + " is already open in this process");
        }
        Thread current = Thread.currentThread();
        ClassLoader previous = current.getContextClassLoader();
        // lmdbjava extracts its native library through the context class loader: make it ours,
        // which also holds when this provider lives in a plugin's class loader.
        current.setContextClassLoader(LmdbStorageProvider.class.getClassLoader());
        try {
            DataFileCheck.Result check = DataFileCheck.check(path);
            if (!check.ok()) {
                throw new PydbException(ErrorCode.UNAVAILABLE, "cannot open the lmdb data in " + path + ": "
                        + check.problem().get() + "; restore the folder from a backup");
            }
            LOG.debug("{}: {}", check.file(), check.note());
            return LmdbStorage.open(path, options, check, () -> OPEN_PATHS.remove(path));
        } catch (RuntimeException | Error e) {
            OPEN_PATHS.remove(path);
            throw e;
        } finally {
            current.setContextClassLoader(previous);
        }
    }

    /** Verifies a stopped storage without LMDB and without changing a file ({@link LmdbVerifier}). */
    @Override
    public Optional<StorageVerifier> verifier() {
        return Optional.of(new LmdbVerifier(path -> {
            try {
                return OPEN_PATHS.contains(path.toRealPath());
            } catch (IOException e) {
                return false;
            }
        }));
    }

    /** Creates the folder (0700, missing parents too) and returns its real path; it is made 0700 at open. */
    private static Path createDirectory(Path path) {
        try {
            return FilePermissions.createDirectories(path).toRealPath();
        } catch (IOException e) {
            throw new PydbException(ErrorCode.UNAVAILABLE, "cannot create the lmdb data directory " + path + ": " + e, e);
        }
    }
}
