package dev.pydb.storage.lmdb;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.api.storage.WriteResult;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
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

    private LmdbStorage(Path path, Env<ByteBuffer> env, GroupCommitWriter writer, LmdbTables tables, int maxReaders,
            Runnable afterClose) {
        this.path = requireNonNull(path, "path is null");
        this.env = requireNonNull(env, "env is null");
        this.writer = requireNonNull(writer, "writer is null");
        this.tables = requireNonNull(tables, "tables is null");
        this.readerSlots = new Semaphore(maxReaders);
        this.readContexts = new ReadContextPool(env);
        this.afterClose = requireNonNull(afterClose, "afterClose is null");
    }

    /**
     * Opens the environment in the existing directory {@code path}, starts the writer and opens the
     * tables. {@code afterClose} runs once the environment is closed. Must run with a context class
     * loader that sees lmdbjava's native library (the first open extracts it).
     */
    static LmdbStorage open(Path path, LmdbOptions options, Runnable afterClose) {
        Env<ByteBuffer> env;
        try {
            env = Env.create()
                    .setMapSize(options.mapSizeBytes())
                    .setMaxDbs(LmdbTables.DBI_COUNT)
                    .setMaxReaders(options.maxReaders())
                    .open(path.toFile(), options.writeMap()
                            ? new EnvFlags[] {EnvFlags.MDB_NOTLS, EnvFlags.MDB_WRITEMAP}
                            : new EnvFlags[] {EnvFlags.MDB_NOTLS});
        } catch (LmdbException e) {
            throw new PydbException(ErrorCode.UNAVAILABLE, "cannot open the lmdb data in " + path + ": " + e.getMessage(), e);
        } catch (LinkageError e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new PydbException(ErrorCode.UNAVAILABLE, "cannot load LMDB (lmdbjava): " + cause
                    + "; the JVM needs " + JVM_FLAGS + " and a writable java.io.tmpdir (or -Dlmdbjava.extract.dir)", e);
        }
        GroupCommitWriter writer = new GroupCommitWriter(env, options.mapSizeBytes(), "pydb-lmdb-writer");
        try {
            writer.start();
            LmdbTables tables = writer.execute(txn -> writeTxn -> LmdbTables.open(env, writeTxn));
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

    @Override
    public void close() {
        closeLock.lock();
        try {
            if (!gate.close()) {
                return;
            }
            try {
                writer.close();
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
