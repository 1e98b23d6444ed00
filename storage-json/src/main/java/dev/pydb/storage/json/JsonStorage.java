package dev.pydb.storage.json;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.Names;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.DocumentImporter;
import dev.pydb.api.storage.KeyOrder;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageClosedException;
import dev.pydb.api.storage.StorageMetrics;
import dev.pydb.api.storage.StorageSnapshot;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.api.storage.WriteResult;
import dev.pydb.storage.toolkit.file.DiskFailures;
import dev.pydb.storage.toolkit.file.DurableFiles;
import dev.pydb.storage.toolkit.file.FilePermissions;
import dev.pydb.storage.toolkit.wal.ChannelOpener;
import dev.pydb.storage.toolkit.wal.Checkpointer;
import dev.pydb.storage.toolkit.wal.CorruptRecordException;
import dev.pydb.storage.toolkit.wal.WalConfig;
import dev.pydb.storage.toolkit.wal.WalPosition;
import dev.pydb.storage.toolkit.wal.WalRecord;
import dev.pydb.storage.toolkit.wal.WriteAheadLog;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The json backend's {@link Storage}: every document in memory, every change in the shared
 * write-ahead log ({@code wal/}) before it becomes visible, and human-readable snapshots
 * ({@code databases/<db>/snapshot.json}) written by checkpoints. See {@link JsonStorageProvider}
 * and docs/STORAGE-JSON.md.
 *
 * <p>A write is checked, logged and published by {@link WriteAheadLog#commit} on the caller's
 * thread (group commit, no hand-off); reads are served from memory. Creating and dropping a
 * database run while the log is quiesced; checkpoints run on their own thread.
 */
final class JsonStorage implements Storage {
    static final String DATABASES_DIRECTORY = "databases";
    static final String WAL_DIRECTORY = "wal";
    private static final Logger LOG = LoggerFactory.getLogger(JsonStorage.class);
    private static final String WHO = "json storage";
    private static final Pattern LEFTOVER = Pattern.compile("\\.[A-Za-z0-9_-]{1,64}\\.(creating|dropped-[0-9]+)");

    private final Path root;
    private final Path databasesDirectory;
    private final Map<String, Database> databases;
    private final WriteAheadLog wal;
    private final Checkpointer checkpointer;
    /** Held by checkpoints, creates and drops: they all change the databases' files. */
    private final ReentrantLock filesLock = new ReentrantLock();
    /** The sequence number {@code checkpoint.json} holds. Guarded by {@link #filesLock}. */
    private long checkpointSequence;
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile boolean closed;

    private JsonStorage(Path root, Map<String, Database> databases, WriteAheadLog wal, Checkpointer checkpointer,
            long checkpointSequence) {
        this.root = root;
        this.databasesDirectory = root.resolve(DATABASES_DIRECTORY);
        this.databases = databases;
        this.wal = wal;
        this.checkpointer = checkpointer;
        this.checkpointSequence = checkpointSequence;
    }

    /** Opens (creating if needed) the storage in {@code root}; {@code UNAVAILABLE} if it cannot be read. */
    static JsonStorage open(Path root, JsonStorageOptions options, StorageMetrics metrics, ChannelOpener channels) {
        requireNonNull(root, "root is null");
        requireNonNull(options, "options is null");
        requireNonNull(metrics, "metrics is null");
        requireNonNull(channels, "channels is null");
        if (Files.exists(root) && !Files.isDirectory(root)) {
            throw unavailable("storage.path " + root + " is not a directory", null);
        }
        Path databasesDirectory = root.resolve(DATABASES_DIRECTORY);
        Map<String, Database> databases = new ConcurrentHashMap<>();
        long checkpointSequence;
        try {
            if (!Files.isDirectory(databasesDirectory)) {
                boolean newRoot = !Files.exists(root);
                FilePermissions.createDirectories(databasesDirectory);
                DurableFiles.syncDirectory(root);
                if (newRoot && root.toAbsolutePath().getParent() != null) {
                    DurableFiles.syncDirectory(root.toAbsolutePath().getParent());
                }
            }
            FilePermissions.restrict(root);
            FilePermissions.restrict(databasesDirectory);
            Files.deleteIfExists(root.resolve(CheckpointFile.TEMP_FILE_NAME));
            checkpointSequence = CheckpointFile.read(root);
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(databasesDirectory)) {
                for (Path entry : entries) {
                    String name = entry.getFileName().toString();
                    if (LEFTOVER.matcher(name).matches()) {
                        LOG.info("json storage: removing {}, left by an interrupted create or drop", entry);
                        DurableFiles.deleteRecursively(entry);
                    } else if (Names.isValidDatabaseName(name) && Files.isDirectory(entry)) {
                        databases.put(name, DatabaseFiles.load(entry, name, checkpointSequence));
                    } else {
                        LOG.warn("json storage: ignoring {}: not a database folder", entry);
                    }
                }
            }
        } catch (IOException e) {
            throw unavailable("cannot open " + root + ": " + e, e);
        } catch (SnapshotFile.CorruptSnapshotException e) {
            throw unavailable(e.getMessage() + "; restore it from a backup", null);
        }
        Checkpointer checkpointer = new Checkpointer("pydb-json-checkpointer");
        WalConfig config = WalConfig.builder(root.resolve(WAL_DIRECTORY), JsonStorageProvider.NAME)
                .checkpointAfter(options.compactAfterBytes(), checkpointer::request)
                .metrics(metrics)
                .channels(channels)
                .build();
        WriteAheadLog wal = WriteAheadLog.open(config, checkpointSequence, record -> replay(record, databases));
        JsonStorage storage = new JsonStorage(root, databases, wal, checkpointer, checkpointSequence);
        checkpointer.start(storage::checkpoint);
        if (wal.bytesSinceCheckpoint() >= options.compactAfterBytes()) {
            checkpointer.request();
        }
        LOG.info("json storage: opened {} with {} database(s)", root, databases.size());
        return storage;
    }

    private static void replay(WalRecord record, Map<String, Database> databases) throws CorruptRecordException {
        BatchCodec.Batch batch = BatchCodec.decode(record.payload());
        Database database = databases.get(batch.database());
        if (database != null && record.sequence() > database.snapshotSequence()) {
            database.apply(record.sequence(), batch.changes());
        } // else the database was dropped since, or its snapshot holds the record
    }

    /** The folder name a database has while it is being created. */
    static String creatingName(String database) {
        return "." + database + ".creating";
    }

    /** The folder name a dropped database has until its files are deleted. */
    static String droppedName(String database, long unique) {
        return "." + database + ".dropped-" + Math.abs(unique);
    }

    /** The write-ahead log (for tests). */
    WriteAheadLog log() {
        return wal;
    }

    @Override
    public void createDatabase(String db) {
        requireNonNull(db, "db is null");
        ensureOpen();
        changeFiles(() -> wal.runQuiesced(() -> {
            wal.checkWritable();
            if (databases.containsKey(db)) {
                throw PydbException.dbExists(db);
            }
            try {
                databases.put(db, DatabaseFiles.create(databasesDirectory, db, wal.publishedPosition().sequence()));
            } catch (IOException e) {
                throw fileFailure("cannot create database '" + db + "'", databasesDirectory.resolve(db), e);
            }
            return null;
        }));
    }

    @Override
    public void dropDatabase(String db) {
        requireNonNull(db, "db is null");
        ensureOpen();
        changeFiles(() -> wal.runQuiesced(() -> {
            wal.checkWritable();
            Database database = databases.get(db);
            if (database == null) {
                throw PydbException.dbNotFound(db);
            }
            Path grave = databasesDirectory.resolve(droppedName(db, System.nanoTime()));
            try {
                Files.move(database.directory(), grave, StandardCopyOption.ATOMIC_MOVE);
                DurableFiles.syncDirectory(databasesDirectory);
            } catch (IOException e) {
                throw fileFailure("cannot drop database '" + db + "'", database.directory(), e);
            }
            databases.remove(db);
            database.markDropped();
            try {
                DurableFiles.deleteRecursively(grave);
            } catch (IOException e) {
                LOG.warn("json storage: database '{}' is dropped, but deleting {} failed (the next open retries): {}", db, grave,
                        e.toString());
            }
            return null;
        }));
    }

    @Override
    public List<String> listDatabases() {
        ensureOpen();
        return databases.keySet().stream().sorted(KeyOrder.COMPARATOR).toList();
    }

    @Override
    public boolean databaseExists(String db) {
        ensureOpen();
        return databases.containsKey(db);
    }

    @Override
    public Optional<Document> get(String db, String key) {
        requireNonNull(key, "key is null");
        return database(db).read(documents -> documents.get(key));
    }

    @Override
    public List<Document> scan(String db, String afterKey, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, was " + limit);
        }
        return database(db).read(documents -> documents.scan(afterKey, limit));
    }

    @Override
    public long count(String db) {
        return database(db).read(Documents::count);
    }

    @Override
    public List<WriteResult> write(String db, List<WriteOp> ops) {
        requireNonNull(db, "db is null");
        requireNonNull(ops, "ops is null");
        ensureOpen();
        List<WriteOp> normalized = eachChecked(ops, op -> {
            requireEncodableKey(op.key());
            return normalized(op);
        });
        if (normalized.isEmpty()) {
            database(db);
            return List.of();
        }
        return wal.commit(sequence -> {
            Database database = database(db);
            BatchStager.Staged<List<WriteResult>> staged = BatchStager.stageWrite(database, normalized);
            return database.prepare(sequence, staged.changes(), BatchCodec.encode(db, staged.changes()), staged.results());
        });
    }

    @Override
    public Optional<StorageSnapshot> snapshot() {
        ensureOpen();
        return Optional.of(wal.runQuiesced(() -> {
            Map<String, Documents> copies = new LinkedHashMap<>();
            for (String name : databases.keySet().stream().sorted(KeyOrder.COMPARATOR).toList()) {
                copies.put(name, databases.get(name).copyDocuments());
            }
            return new JsonStorageSnapshot(copies);
        }));
    }

    @Override
    public Optional<DocumentImporter> importer() {
        ensureOpen();
        return Optional.of(this::importDocuments);
    }

    private void importDocuments(String db, List<Document> documents) {
        requireNonNull(db, "db is null");
        requireNonNull(documents, "documents is null");
        ensureOpen();
        List<Document> normalized = eachChecked(documents, document -> {
            requireEncodableKey(document.key());
            return new Document(document.key(), document.rev(), Json.normalize(document.body()));
        });
        if (normalized.isEmpty()) {
            database(db);
            return;
        }
        wal.commit(sequence -> {
            Database database = database(db);
            BatchStager.Staged<Void> staged = BatchStager.stageImport(database, normalized);
            return database.prepare(sequence, staged.changes(), BatchCodec.encode(db, staged.changes()), null);
        });
    }

    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        closed = true;
        wal.close();
        checkpointer.close();
        checkpoint();
        LOG.info("json storage: closed {}", root);
    }

    /**
     * Brings the snapshots up to date and lets the log delete what they hold: copies each
     * database changed since its snapshot (references, under its read lock), writes its snapshot
     * at the sequence number it holds, then {@code checkpoint.json} at the log position read
     * before, then tells the log. Writes go on meanwhile. A failure (a full disk) changes nothing:
     * the log keeps every record, and the next checkpoint tries again.
     */
    private void checkpoint() {
        filesLock.lock();
        try {
            long start = System.nanoTime();
            WalPosition position = wal.publishedPosition();
            boolean wrote = false;
            for (Database database : databases.values()) {
                Database.Copy copy = database.copyIfChanged();
                if (copy != null) {
                    long sequence = Math.max(copy.appliedSequence(), position.sequence());
                    SnapshotFile.write(database.directory(), database.name(), sequence, copy.documents(), copy.damaged());
                    database.snapshotWritten(sequence);
                    wrote = true;
                }
            }
            if (position.sequence() > checkpointSequence) {
                CheckpointFile.write(root, position.sequence());
                checkpointSequence = position.sequence();
                wrote = true;
            }
            if (wrote) {
                wal.checkpoint(position, start);
            }
        } catch (IOException e) {
            if (DiskFailures.isNoSpace(e)) {
                LOG.warn("json storage: checkpoint failed: disk full ({}); the write-ahead log keeps every change, the next"
                        + " checkpoint tries again", DiskFailures.describe(e));
            } else {
                LOG.error("json storage: checkpoint failed; the write-ahead log keeps every change, the next checkpoint"
                        + " tries again", e);
            }
        } finally {
            filesLock.unlock();
        }
    }

    private void changeFiles(Runnable change) {
        filesLock.lock();
        try {
            change.run();
        } finally {
            filesLock.unlock();
        }
    }

    /** {@code check} applied to each item in turn; a failure carries the item's position as the detail {@code index}. */
    private static <T> List<T> eachChecked(List<T> items, UnaryOperator<T> check) {
        List<T> checked = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            try {
                checked.add(check.apply(items.get(i)));
            } catch (PydbException e) {
                throw e.withDetail("index", i);
            }
        }
        return checked;
    }

    /** Keys are stored as UTF-8, which cannot hold a lone surrogate. */
    private static void requireEncodableKey(String key) {
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < key.length() && Character.isLowSurrogate(key.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw PydbException.badRequest("key contains a lone surrogate (U+" + Integer.toHexString(c).toUpperCase()
                        + ") at index " + i + "; keys must be valid Unicode");
            }
        }
    }

    private static WriteOp normalized(WriteOp op) {
        return switch (op) {
            case WriteOp.Put put -> new WriteOp.Put(put.key(), Json.normalize(put.body()), put.expectedRev());
            case WriteOp.Insert insert -> new WriteOp.Insert(insert.key(), Json.normalize(insert.body()));
            case WriteOp.Update update -> update;
            case WriteOp.Delete delete -> delete;
        };
    }

    private Database database(String db) {
        requireNonNull(db, "db is null");
        ensureOpen();
        Database database = databases.get(db);
        if (database == null) {
            throw PydbException.dbNotFound(db);
        }
        return database;
    }

    private void ensureOpen() {
        if (closed) {
            throw new StorageClosedException(JsonStorageProvider.NAME);
        }
    }

    /** A full disk is {@code LIMIT_EXCEEDED} (retry once there is room), anything else {@code UNAVAILABLE}. */
    private static PydbException fileFailure(String what, Path path, IOException e) {
        if (DiskFailures.isNoSpace(e)) {
            return DiskFailures.diskFull(WHO, path, e);
        }
        LOG.error("json storage: {} in {}", what, path, e);
        return unavailable(what + ": " + DiskFailures.describe(e), e);
    }

    private static PydbException unavailable(String message, Throwable cause) {
        return new PydbException(ErrorCode.UNAVAILABLE, WHO + ": " + message, cause);
    }
}
