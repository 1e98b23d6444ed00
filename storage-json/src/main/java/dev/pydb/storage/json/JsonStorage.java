package dev.pydb.storage.json;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.Names;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.KeyOrder;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageClosedException;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.api.storage.WriteResult;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The json backend's {@link Storage}: every document in memory, every change in human-readable
 * JSON files under {@code storage.path}. Reads are served from memory; changes go through the
 * {@link Committer} thread, which makes them durable before they become visible and before the
 * caller returns. See {@link JsonStorageProvider} for the file layout.
 */
final class JsonStorage implements Storage {
    static final String DATABASES_DIRECTORY = "databases";
    private static final Logger LOG = LoggerFactory.getLogger(JsonStorage.class);
    private static final Pattern LEFTOVER = Pattern.compile("\\.[A-Za-z0-9_-]{1,64}\\.(creating|dropped-[0-9]+)");

    private final Path root;
    private final Map<String, Database> databases;
    private final Committer committer;
    private final ReentrantReadWriteLock submitLock = new ReentrantReadWriteLock();
    private volatile boolean closed;

    private JsonStorage(Path root, Map<String, Database> databases, Committer committer) {
        this.root = root;
        this.databases = databases;
        this.committer = committer;
    }

    /** Opens (creating if needed) the storage in {@code root}; {@code UNAVAILABLE} if it cannot be read. */
    static JsonStorage open(Path root, JsonStorageOptions options) {
        requireNonNull(root, "root is null");
        requireNonNull(options, "options is null");
        if (Files.exists(root) && !Files.isDirectory(root)) {
            throw unavailable("storage.path " + root + " is not a directory", null);
        }
        Path databasesDirectory = root.resolve(DATABASES_DIRECTORY);
        Map<String, Database> databases = new ConcurrentHashMap<>();
        try {
            if (!Files.isDirectory(databasesDirectory)) {
                boolean newRoot = !Files.exists(root);
                Files.createDirectories(databasesDirectory);
                DurableFiles.syncDirectory(root);
                if (newRoot && root.getParent() != null) {
                    DurableFiles.syncDirectory(root.getParent());
                }
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(databasesDirectory)) {
                for (Path entry : entries) {
                    String name = entry.getFileName().toString();
                    if (LEFTOVER.matcher(name).matches()) {
                        LOG.info("json storage: removing {}, left by an interrupted create or drop", entry);
                        DurableFiles.deleteRecursively(entry);
                    } else if (Names.isValidDatabaseName(name) && Files.isDirectory(entry)) {
                        databases.put(name, DatabaseFiles.load(entry, name));
                    } else {
                        LOG.warn("json storage: ignoring {}: not a database folder", entry);
                    }
                }
            }
        } catch (IOException e) {
            closeLogs(databases);
            throw unavailable("cannot open " + root + ": " + e, e);
        } catch (RuntimeException e) {
            closeLogs(databases);
            throw e;
        }
        Committer committer = new Committer(databasesDirectory, databases, options);
        committer.start();
        LOG.info("json storage: opened {} with {} database(s)", root, databases.size());
        return new JsonStorage(root, databases, committer);
    }

    /** The folder name a database has while it is being created. */
    static String creatingName(String database) {
        return "." + database + ".creating";
    }

    /** The folder name a dropped database has until its files are deleted. */
    static String droppedName(String database, long unique) {
        return "." + database + ".dropped-" + Math.abs(unique);
    }

    /** How many log fsyncs have been done: fewer than writes when writers share them (group commit). */
    long logSyncs() {
        return committer.logSyncs();
    }

    /** How many changes wait for the committer thread. */
    int queuedTasks() {
        return committer.queuedTasks();
    }

    @Override
    public void createDatabase(String db) {
        requireNonNull(db, "db is null");
        CompletableFuture<Void> result = new CompletableFuture<>();
        submit(new Task.Create(db, result), result);
    }

    @Override
    public void dropDatabase(String db) {
        requireNonNull(db, "db is null");
        CompletableFuture<Void> result = new CompletableFuture<>();
        submit(new Task.Drop(db, result), result);
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
        return database(db).read(documents -> Optional.ofNullable(documents.get(key)));
    }

    @Override
    public List<Document> scan(String db, String afterKey, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, was " + limit);
        }
        return database(db).read(documents -> {
            NavigableMap<String, Document> tail = afterKey == null ? documents : documents.tailMap(afterKey, false);
            List<Document> page = new ArrayList<>(Math.min(limit, 1024));
            for (Document document : tail.values()) {
                if (page.size() >= limit) {
                    break;
                }
                page.add(document);
            }
            return List.copyOf(page);
        });
    }

    @Override
    public long count(String db) {
        return database(db).read(documents -> (long) documents.size());
    }

    @Override
    public List<WriteResult> write(String db, List<WriteOp> ops) {
        requireNonNull(db, "db is null");
        requireNonNull(ops, "ops is null");
        ensureOpen();
        List<WriteOp> prepared = new ArrayList<>(ops.size());
        for (int i = 0; i < ops.size(); i++) {
            try {
                WriteOp op = ops.get(i);
                requireEncodableKey(op.key());
                prepared.add(normalized(op));
            } catch (PydbException e) {
                throw e.withDetail("index", i);
            }
        }
        if (prepared.isEmpty()) {
            database(db);
            return List.of();
        }
        CompletableFuture<List<WriteResult>> result = new CompletableFuture<>();
        return submit(new Task.Write(db, prepared, result), result);
    }

    @Override
    public void close() {
        submitLock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            submitLock.writeLock().unlock();
        }
        committer.stop();
        closeLogs(databases);
        LOG.info("json storage: closed {}", root);
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

    private <T> T submit(Task task, CompletableFuture<T> result) {
        submitLock.readLock().lock();
        try {
            ensureOpen();
            committer.submit(task);
        } finally {
            submitLock.readLock().unlock();
        }
        try {
            return result.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        }
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

    private static void closeLogs(Map<String, Database> databases) {
        for (Database database : databases.values()) {
            try {
                database.log().close();
            } catch (IOException e) {
                LOG.warn("json storage: closing {} failed: {}", database.log().file(), e.toString());
            }
        }
    }

    private static PydbException unavailable(String message, Throwable cause) {
        return new PydbException(ErrorCode.UNAVAILABLE, "json storage: " + message, cause);
    }
}
