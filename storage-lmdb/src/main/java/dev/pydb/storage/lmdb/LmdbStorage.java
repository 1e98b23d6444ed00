package dev.pydb.storage.lmdb;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.DocumentImporter;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageSnapshot;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.api.storage.WriteResult;
import dev.pydb.storage.toolkit.file.FilePermissions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.LmdbException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Storage} on one LMDB environment. Reads run on the caller's thread (virtual threads
 * included) in read-only transactions ({@code MDB_NOTLS}), reused from a {@link ReadContextPool}
 * with their key buffer; writes go to the
 * {@link GroupCommitWriter}'s platform thread. An {@link OperationGate} keeps {@link #close()}
 * from closing the environment under a running operation.
 */
final class LmdbStorage implements Storage {
    static final String NAME = "lmdb";
    static final String JVM_FLAGS = "--add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED"
            + " --enable-native-access=ALL-UNNAMED";
    static final String LOCK_FILE = "lock.mdb";
    /** The mode LMDB creates its files with (the umask can only take bits away); {@link #restrictFiles} sets it exactly. */
    private static final int FILE_MODE = 0600;
    private static final Logger LOG = LoggerFactory.getLogger(LmdbStorage.class);

    private final Path path;
    private final Env<ByteBuffer> env;
    private final GroupCommitWriter writer;
    private final LmdbTables tables;
    private final Semaphore readerSlots;
    private final ReadContextPool readContexts;
    private final OperationGate gate = new OperationGate(NAME);
    private final ReentrantLock closeLock = new ReentrantLock();
    private final Runnable afterClose;
    private final int maxReaders;
    /** The open snapshots; guarded by itself where a snapshot is taken or closed. */
    private final Set<LmdbSnapshot> snapshots = ConcurrentHashMap.newKeySet();

    private LmdbStorage(Path path, Env<ByteBuffer> env, GroupCommitWriter writer, LmdbTables tables, int maxReaders,
            Runnable afterClose) {
        this.path = requireNonNull(path, "path is null");
        this.env = requireNonNull(env, "env is null");
        this.writer = requireNonNull(writer, "writer is null");
        this.tables = requireNonNull(tables, "tables is null");
        this.readerSlots = new Semaphore(maxReaders);
        this.maxReaders = maxReaders;
        this.readContexts = new ReadContextPool(env);
        this.afterClose = requireNonNull(afterClose, "afterClose is null");
    }

    /**
     * Opens the environment in the existing directory {@code path}, whose {@code data.mdb} passed
     * the {@link DataFileCheck} ({@code check}), starts the writer, opens the tables and upgrades
     * a 0.1.0 store. {@code afterClose} runs once the environment is closed. Must run with a
     * context class loader that sees lmdbjava's native library (the first open extracts it).
     */
    static LmdbStorage open(Path path, LmdbOptions options, DataFileCheck.Result check, Runnable afterClose) {
        Path dataFile = path.resolve(LmdbDataFile.NAME);
        if (options.writeMap()) {
            requireRoomForTheWholeMap(path, options, check);
        }
        Env<ByteBuffer> env;
        try {
            env = Env.create()
                    .setMapSize(options.mapSizeBytes())
                    .setMaxDbs(LmdbTables.DBI_COUNT)
                    .setMaxReaders(options.maxReaders())
                    .open(path.toFile(), FILE_MODE, options.writeMap()
                            ? new EnvFlags[] {EnvFlags.MDB_NOTLS, EnvFlags.MDB_WRITEMAP}
                            : new EnvFlags[] {EnvFlags.MDB_NOTLS});
        } catch (LmdbException e) {
            throw new PydbException(ErrorCode.UNAVAILABLE, "cannot open the lmdb data in " + path + ": " + e.getMessage(), e);
        } catch (LinkageError e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new PydbException(ErrorCode.UNAVAILABLE, "cannot load LMDB (lmdbjava): " + cause
                    + "; the JVM needs " + JVM_FLAGS + " and a writable java.io.tmpdir (or -Dlmdbjava.extract.dir)", e);
        }
        GroupCommitWriter writer = new GroupCommitWriter(env, new WriteFailures(dataFile, options.mapSizeBytes()),
                "pydb-lmdb-writer");
        try {
            restrictFiles(path);
            writer.start();
            LmdbTables tables = writer.execute(txn -> writeTxn -> LmdbTables.open(env, writeTxn, dataFile));
            if (tables.upgradePending()) {
                new FormatUpgrade(writer, tables).run();
            }
            LOG.info("opened lmdb storage in {} (map_size_bytes={}, max_readers={}, write_map={})", path,
                    options.mapSizeBytes(), options.maxReaders(), options.writeMap());
            return new LmdbStorage(path, env, writer, tables, options.maxReaders(), afterClose);
        } catch (RuntimeException e) {
            writer.close();
            env.close();
            if (e instanceof PydbException) {
                throw e;
            }
            throw new PydbException(ErrorCode.UNAVAILABLE, "cannot open the lmdb data in " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * With {@code MDB_WRITEMAP} a commit writes into the memory map, and a page the full disk
     * cannot back kills the process with SIGBUS instead of failing the write. So the file system
     * must have room for the rest of the map at start: the map size less the pages in use.
     */
    private static void requireRoomForTheWholeMap(Path path, LmdbOptions options, DataFileCheck.Result check) {
        long inUse = check.newest().map(MetaPage::dataBytes).orElse(0L);
        long needed = options.mapSizeBytes() - inUse;
        long usable;
        try {
            usable = Files.getFileStore(path).getUsableSpace();
        } catch (IOException e) {
            throw new PydbException(ErrorCode.UNAVAILABLE, "cannot tell the free space for write_map in " + path + ": " + e, e);
        }
        if (usable < needed) {
            throw new PydbException(ErrorCode.UNAVAILABLE, "write_map needs disk space for the whole map, but the file system of "
                    + path + " has " + usable + " bytes usable and the map needs " + needed + " more (map_size_bytes="
                    + options.mapSizeBytes() + ", " + inUse + " in use): a full disk would kill the server with SIGBUS;"
                    + " free space, lower storage.options.map_size_bytes or turn write_map off");
        }
    }

    /** {@code data.mdb} and {@code lock.mdb} 0600 and the folder 0700, also when an older version created them. */
    private static void restrictFiles(Path path) {
        try {
            FilePermissions.restrict(path);
            FilePermissions.restrict(path.resolve(LmdbDataFile.NAME));
            FilePermissions.restrict(path.resolve(LOCK_FILE));
        } catch (IOException e) {
            throw new PydbException(ErrorCode.UNAVAILABLE, "cannot make the lmdb files in " + path + " private: " + e, e);
        }
    }

    @Override
    public void createDatabase(String db) {
        write(txn -> tables.prepareCreateDatabase(txn, db));
    }

    @Override
    public void dropDatabase(String db) {
        write(txn -> tables.prepareDropDatabase(txn, db));
    }

    @Override
    public List<String> listDatabases() {
        return read(tables::listDatabases);
    }

    @Override
    public boolean databaseExists(String db) {
        return read(txn -> tables.databaseExists(txn, db));
    }

    @Override
    public Optional<Document> get(String db, String key) {
        return read(txn -> tables.get(txn, db, key));
    }

    @Override
    public List<Document> scan(String db, String afterKey, int limit) {
        return read(txn -> tables.scan(txn, db, afterKey, limit));
    }

    @Override
    public long count(String db) {
        return read(txn -> tables.count(txn, db));
    }

    @Override
    public List<WriteResult> write(String db, List<WriteOp> ops) {
        List<WriteOp> batch = List.copyOf(ops);
        if (batch.isEmpty()) {
            read(txn -> tables.count(txn, db));
            return List.of();
        }
        return write(txn -> tables.prepareWrite(txn, db, batch));
    }

    /** Durable commits so far (for tests and statistics). */
    long commitCount() {
        return writer.commitCount();
    }

    /** Write tasks committed so far; with {@link #commitCount()} it shows how well commits are grouped. */
    long committedWriteCount() {
        return writer.committedTaskCount();
    }

    /**
     * A consistent point-in-time view: one LMDB read transaction, kept open until the snapshot is
     * closed (or the storage). It holds one of the {@code max_readers} slots, and while it is open
     * LMDB cannot reuse the pages that later writes free, so the file grows: close it promptly.
     */
    @Override
    public Optional<StorageSnapshot> snapshot() {
        return Optional.of(gate.call(() -> {
            synchronized (snapshots) {
                // snapshots hold their slot until closed: leave at least one for the reads
                if (snapshots.size() >= maxReaders - 1 || !readerSlots.tryAcquire()) {
                    throw new PydbException(ErrorCode.LIMIT_EXCEEDED, "no reader slot is free for a snapshot: "
                            + snapshots.size() + " snapshots are open and storage.options.max_readers is " + maxReaders
                            + " (one slot stays for reads)");
                }
                try {
                    LmdbSnapshot snapshot = new LmdbSnapshot(this, tables, readContexts.borrow());
                    snapshots.add(snapshot);
                    return snapshot;
                } catch (LmdbException e) {
                    readerSlots.release();
                    throw new PydbException(ErrorCode.UNAVAILABLE, "cannot begin a snapshot: " + e.getMessage(), e);
                } catch (RuntimeException e) {
                    readerSlots.release();
                    throw e;
                }
            }
        }));
    }

    /** Loads documents with their revisions into a database, one durable write transaction per call. */
    @Override
    public Optional<DocumentImporter> importer() {
        return Optional.of((db, documents) -> {
            List<Document> batch = List.copyOf(documents);
            write(txn -> tables.prepareImport(txn, db, batch));
        });
    }

    /** Runs a snapshot's read under the gate, so {@link #close()} waits for it; LMDB failures become UNAVAILABLE. */
    <T> T readInSnapshot(Supplier<T> body) {
        return gate.call(() -> {
            try {
                return body.get();
            } catch (LmdbException e) {
                LOG.error("lmdb snapshot read failed in {}", path, e);
                throw new PydbException(ErrorCode.UNAVAILABLE, "storage read failed: " + e.getMessage(), e);
            }
        });
    }

    /** Takes back the read transaction and the reader slot of a closed snapshot. */
    void snapshotClosed(LmdbSnapshot snapshot, ReadContext context) {
        synchronized (snapshots) {
            if (snapshots.remove(snapshot)) {
                readContexts.giveBack(context);
                readerSlots.release();
            }
        }
    }

    @Override
    public void close() {
        closeLock.lock();
        try {
            if (!gate.close()) {
                return;
            }
            try {
                writer.close();
                List.copyOf(snapshots).forEach(LmdbSnapshot::close);
                readContexts.close();
                env.close();
            } finally {
                afterClose.run();
            }
            LOG.info("closed lmdb storage in {}", path);
        } finally {
            closeLock.unlock();
        }
    }

    private <T> T write(GroupCommitWriter.Task<T> task) {
        return gate.call(() -> writer.execute(task));
    }

    /**
     * Runs {@code body} in a read-only transaction of a pooled {@link ReadContext}, unless closed;
     * {@link #close()} waits for it. A context goes back to the pool after the read, also when the
     * request failed ({@link PydbException}, {@link IllegalArgumentException}), and is closed
     * after anything else.
     */
    <T> T read(Function<ReadContext, T> body) {
        return gate.call(() -> {
            readerSlots.acquireUninterruptibly();
            try {
                ReadContext context = readContexts.borrow();
                boolean reusable = false;
                try {
                    T result = body.apply(context);
                    reusable = true;
                    return result;
                } catch (PydbException | IllegalArgumentException e) {
                    reusable = true;
                    throw e;
                } finally {
                    if (reusable) {
                        readContexts.giveBack(context);
                    } else {
                        readContexts.discard(context);
                    }
                }
            } catch (LmdbException e) {
                LOG.error("lmdb read failed in {}", path, e);
                throw new PydbException(ErrorCode.UNAVAILABLE, "storage read failed: " + e.getMessage(), e);
            } finally {
                readerSlots.release();
            }
        });
    }

    /** The number of idle pooled read transactions (for tests). */
    int idleReadContexts() {
        return readContexts.idleCount();
    }
}
