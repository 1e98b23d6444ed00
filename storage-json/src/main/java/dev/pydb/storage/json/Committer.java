package dev.pydb.storage.json;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageClosedException;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.api.storage.WriteResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that changes a json storage. It takes every queued task at once; the writes
 * among them form a group: each batch is checked and applied against the state left by the
 * batches before it, one log line per batch is appended to each database's log, each touched log
 * is fsynced once (group commit), and only then are the changes published to readers and the
 * callers released. Creating and dropping a database run between groups. A database whose log
 * has grown past {@code compact_after_bytes} is compacted into its snapshot after a group.
 *
 * <p>After an I/O failure the storage refuses every further change with {@code UNAVAILABLE}
 * (its files may hold a partial write that only recovery at the next open can sort out); reads
 * keep working.
 */
final class Committer {
    private static final Logger LOG = LoggerFactory.getLogger(Committer.class);
    private static final int MAX_TASKS_PER_ROUND = 1024;

    private final Path databasesDirectory;
    private final Map<String, Database> databases;
    private final JsonStorageOptions options;
    private final BlockingQueue<Task> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile String failure;
    private volatile long logSyncs;

    Committer(Path databasesDirectory, Map<String, Database> databases, JsonStorageOptions options) {
        this.databasesDirectory = requireNonNull(databasesDirectory, "databasesDirectory is null");
        this.databases = requireNonNull(databases, "databases is null");
        this.options = requireNonNull(options, "options is null");
        this.thread = Thread.ofPlatform().name("pydb-json-committer").daemon(true).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    void submit(Task task) {
        requireNonNull(task, "task is null");
        if (Thread.currentThread() == thread) {
            throw new IllegalStateException("an update function must not change the storage (it would wait for itself)");
        }
        queue.add(task);
    }

    /** Lets the tasks queued so far finish, then stops the thread and waits for it. */
    void stop() {
        queue.add(new Task.Stop());
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** How many log fsyncs the committer has done (one per touched database per group). */
    long logSyncs() {
        return logSyncs;
    }

    /** How many tasks wait for the committer. */
    int queuedTasks() {
        return queue.size();
    }

    private void run() {
        List<Task> tasks = new ArrayList<>();
        boolean stopping = false;
        while (!stopping) {
            tasks.clear();
            tasks.add(take());
            queue.drainTo(tasks, MAX_TASKS_PER_ROUND - 1);
            try {
                stopping = process(tasks);
            } catch (Throwable e) {
                String problem = "unexpected failure of the committer: " + e;
                LOG.error("json storage: {}", problem, e);
                failure = problem;
                for (Task task : tasks) {
                    task.fail(unavailable());
                }
            }
        }
        for (Task task = queue.poll(); task != null; task = queue.poll()) {
            task.fail(new StorageClosedException(JsonStorageProvider.NAME));
        }
    }

    private Task take() {
        while (true) {
            try {
                return queue.take();
            } catch (InterruptedException e) {
                // only stop() ends this thread
            }
        }
    }

    /** Runs the tasks in order; true once a Stop was among them. */
    private boolean process(List<Task> tasks) {
        List<Task.Write> group = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            Task task = tasks.get(i);
            switch (task) {
                case Task.Write write -> group.add(write);
                case Task.Create create -> {
                    commit(group);
                    group.clear();
                    create(create);
                }
                case Task.Drop drop -> {
                    commit(group);
                    group.clear();
                    drop(drop);
                }
                case Task.Stop stop -> {
                    commit(group);
                    for (Task later : tasks.subList(i + 1, tasks.size())) {
                        later.fail(new StorageClosedException(JsonStorageProvider.NAME));
                    }
                    return true;
                }
            }
        }
        commit(group);
        return false;
    }

    // ------------------------------------------------------------------ writes

    /** What a group is about to change in one database. */
    private static final class Pending {
        final Database database;
        final Map<String, Document> changes = new HashMap<>();
        final ByteArrayOutputStream lines = new ByteArrayOutputStream();
        long records;

        Pending(Database database) {
            this.database = database;
        }

        Document current(String key) {
            return changes.containsKey(key) ? changes.get(key) : database.committed(key);
        }
    }

    /** A batch that passed its checks, with its results. */
    private record Accepted(Task.Write task, List<WriteResult> results) {}

    /** A checked batch: its results, the log's view of it, and the final state of each key it touched. */
    private record Staged(List<WriteResult> results, List<Change> changes, Map<String, Document> state) {}

    private void commit(List<Task.Write> group) {
        if (group.isEmpty()) {
            return;
        }
        Map<Database, Pending> pendings = new LinkedHashMap<>();
        List<Accepted> accepted = new ArrayList<>();
        for (Task.Write write : group) {
            if (failure != null) {
                write.fail(unavailable());
                continue;
            }
            Database database = databases.get(write.database());
            if (database == null) {
                write.fail(PydbException.dbNotFound(write.database()));
                continue;
            }
            Pending pending = pendings.computeIfAbsent(database, Pending::new);
            try {
                Staged staged = stage(pending, write.ops());
                long seq = database.log().lastSeq() + pending.records + 1;
                pending.lines.writeBytes(LogCodec.encode(new LogRecord(seq, staged.changes())));
                pending.records++;
                pending.changes.putAll(staged.state());
                accepted.add(new Accepted(write, staged.results()));
            } catch (Throwable e) {
                write.fail(e);
            }
        }
        if (accepted.isEmpty()) {
            return;
        }
        try {
            for (Pending pending : pendings.values()) {
                if (pending.records > 0) {
                    pending.database.log().append(pending.lines.toByteArray(), pending.records);
                }
            }
            for (Pending pending : pendings.values()) {
                if (pending.records > 0) {
                    pending.database.log().sync();
                    logSyncs++; // only this thread writes it
                }
            }
        } catch (IOException e) {
            fail("cannot write the log: " + e, e);
            for (Accepted batch : accepted) {
                batch.task().fail(unavailable());
            }
            return;
        }
        for (Pending pending : pendings.values()) {
            if (pending.records > 0) {
                pending.database.publish(pending.changes);
            }
        }
        for (Accepted batch : accepted) {
            batch.task().result().complete(batch.results());
        }
        for (Pending pending : pendings.values()) {
            if (pending.database.log().size() > options.compactAfterBytes()) {
                compact(pending.database);
            }
        }
    }

    private static Staged stage(Pending pending, List<WriteOp> ops) {
        String db = pending.database.name();
        Map<String, Document> state = new HashMap<>();
        List<WriteResult> results = new ArrayList<>(ops.size());
        List<Change> changes = new ArrayList<>(ops.size());
        for (int i = 0; i < ops.size(); i++) {
            WriteOp op = ops.get(i);
            String key = op.key();
            try {
                Document current = state.containsKey(key) ? state.get(key) : pending.current(key);
                Document next = switch (op) {
                    case WriteOp.Put put -> {
                        checkRevision(db, key, current, put.expectedRev());
                        yield new Document(key, current == null ? 1 : current.rev() + 1, put.body());
                    }
                    case WriteOp.Insert insert -> {
                        if (current != null) {
                            throw PydbException.keyExists(db, key);
                        }
                        yield new Document(key, 1, insert.body());
                    }
                    case WriteOp.Update update -> {
                        if (current == null) {
                            throw PydbException.notFound(db, key);
                        }
                        checkRevision(db, key, current, update.expectedRev());
                        byte[] changed = requireNonNull(update.change().apply(current.body()), "the update function returned null");
                        yield new Document(key, current.rev() + 1, Json.normalize(changed));
                    }
                    case WriteOp.Delete delete -> {
                        if (current == null) {
                            throw PydbException.notFound(db, key);
                        }
                        checkRevision(db, key, current, delete.expectedRev());
                        yield null;
                    }
                };
                state.put(key, next);
                if (next == null) {
                    changes.add(new Change.Remove(key));
                    results.add(WriteResult.deleted(key));
                } else {
                    changes.add(new Change.Store(next));
                    results.add(WriteResult.written(key, next.rev()));
                }
            } catch (PydbException e) {
                throw e.withDetail("index", i);
            }
        }
        return new Staged(results, changes, state);
    }

    private static void checkRevision(String db, String key, Document current, long expectedRev) {
        if (expectedRev == Storage.ANY_REVISION) {
            return;
        }
        if (current == null) {
            if (expectedRev != 0) {
                throw new PydbException(ErrorCode.CONFLICT, "key '" + key + "' in '" + db + "' does not exist, not at rev "
                        + expectedRev);
            }
        } else if (current.rev() != expectedRev) {
            throw PydbException.conflict(db, key, expectedRev, current.rev());
        }
    }

    private void compact(Database database) {
        DatabaseLog log = database.log();
        try {
            long before = log.size();
            SnapshotFile.write(database.directory(), database.name(), log.lastSeq(), database.committedDocuments().values());
            log.clear();
            LOG.debug("json storage: compacted {} bytes of log of '{}' into its snapshot at record {}", before,
                    database.name(), log.lastSeq());
        } catch (IOException e) {
            fail("cannot compact database '" + database.name() + "': " + e, e);
        }
    }

    // ------------------------------------------------------------------ databases

    private void create(Task.Create task) {
        String name = task.database();
        if (failure != null) {
            task.fail(unavailable());
            return;
        }
        if (databases.containsKey(name)) {
            task.fail(PydbException.dbExists(name));
            return;
        }
        Path temporary = databasesDirectory.resolve(JsonStorage.creatingName(name));
        Path directory = databasesDirectory.resolve(name);
        try {
            DurableFiles.deleteRecursively(temporary);
            Files.createDirectory(temporary);
            DatabaseFiles.initialize(temporary, name);
            Files.move(temporary, directory, StandardCopyOption.ATOMIC_MOVE);
            DurableFiles.syncDirectory(databasesDirectory);
            databases.put(name, DatabaseFiles.load(directory, name));
            task.result().complete(null);
        } catch (IOException e) {
            LOG.error("json storage: cannot create database '{}' in {}", name, directory, e);
            task.fail(new PydbException(ErrorCode.UNAVAILABLE, "json storage: cannot create database '" + name + "': " + e, e));
        } catch (PydbException e) {
            task.fail(e);
        }
    }

    private void drop(Task.Drop task) {
        String name = task.database();
        if (failure != null) {
            task.fail(unavailable());
            return;
        }
        Database database = databases.get(name);
        if (database == null) {
            task.fail(PydbException.dbNotFound(name));
            return;
        }
        Path grave = databasesDirectory.resolve(JsonStorage.droppedName(name, System.nanoTime()));
        try {
            Files.move(database.directory(), grave, StandardCopyOption.ATOMIC_MOVE);
            DurableFiles.syncDirectory(databasesDirectory);
        } catch (IOException e) {
            LOG.error("json storage: cannot drop database '{}' in {}", name, database.directory(), e);
            task.fail(new PydbException(ErrorCode.UNAVAILABLE, "json storage: cannot drop database '" + name + "': " + e, e));
            return;
        }
        databases.remove(name);
        database.markDropped();
        try {
            database.log().close();
            DurableFiles.deleteRecursively(grave);
        } catch (IOException e) {
            LOG.warn("json storage: database '{}' is dropped, but deleting {} failed (the next open retries): {}", name, grave,
                    e.toString());
        }
        task.result().complete(null);
    }

    // ------------------------------------------------------------------ failure

    private void fail(String problem, IOException e) {
        if (failure == null) {
            LOG.error("json storage: {}; refusing every change until the server restarts", problem, e);
            failure = problem;
        }
    }

    private PydbException unavailable() {
        return new PydbException(ErrorCode.UNAVAILABLE, "json storage failed (" + failure
                + "); changes are refused until the server restarts");
    }
}
