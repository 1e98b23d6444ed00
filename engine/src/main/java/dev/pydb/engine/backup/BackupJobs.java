package dev.pydb.engine.backup;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageSnapshot;
import dev.pydb.api.storage.StorageVerifier.Progress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's backups (the BACKUP and BACKUP_STATUS actions): {@link #start} takes the storage's
 * snapshot at once (the backup's point in time) and writes it on a thread of its own while
 * requests, writes included, go on. One backup runs at a time; the last {@value #KEPT} jobs are
 * kept for their status. {@link #close} (server stop, before the storage closes) cancels a running
 * backup, whose folder then has no manifest.
 */
public final class BackupJobs implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BackupJobs.class);
    static final int KEPT = 16;
    private static final Duration LOG_EVERY = Duration.ofSeconds(5);

    public enum State { RUNNING, DONE, FAILED }

    /** A backup job's state; {@code error} set when FAILED, {@code manifest} when DONE. */
    public record Status(long id, Path folder, State state, long documentsDone, long documentsTotal, Instant startedAt,
            Instant finishedAt, int databases, PydbException error) {}

    private final Storage storage;
    private final BackupWriter writer;
    private final String serverVersion;
    private final String provider;
    private final Clock clock;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Job> jobs = new LinkedHashMap<>();
    private Job running;
    private boolean closed;

    public BackupJobs(Storage storage, ObjectMapper json, String serverVersion, String provider, Clock clock) {
        this.storage = requireNonNull(storage, "storage is null");
        this.writer = new BackupWriter(json, clock);
        this.serverVersion = requireNonNull(serverVersion, "serverVersion is null");
        this.provider = requireNonNull(provider, "provider is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * Takes the snapshot and starts writing it into {@code folder} (absolute).
     *
     * @throws PydbException {@code UNSUPPORTED} if the storage cannot take a snapshot,
     *     {@code UNAVAILABLE} if a backup is running or the server is stopping
     */
    public synchronized Status start(Path folder) {
        requireNonNull(folder, "folder is null");
        if (closed) {
            throw new PydbException(ErrorCode.UNAVAILABLE, "the server is stopping");
        }
        if (running != null) {
            throw new PydbException(ErrorCode.UNAVAILABLE, "backup " + running.id + " into " + running.folder
                    + " is running; try again when it has finished");
        }
        StorageSnapshot snapshot = storage.snapshot()
                .orElseThrow(() -> PydbException.unsupported("backups (a storage snapshot)", provider));
        Job job = new Job(ids.incrementAndGet(), folder, snapshot, clock.instant());
        running = job;
        jobs.put(job.id, job);
        while (jobs.size() > KEPT) {
            jobs.remove(jobs.keySet().iterator().next());
        }
        job.thread = Thread.ofPlatform().name("pydb-backup-" + job.id).daemon(true).unstarted(job::run);
        job.thread.start();
        LOG.info("backup {} into {} started", job.id, folder);
        return job.status();
    }

    public synchronized Optional<Status> status(long id) {
        return Optional.ofNullable(jobs.get(id)).map(Job::status);
    }

    private synchronized void finished(Job job) {
        if (running == job) {
            running = null;
        }
    }

    /** Cancels a running backup and waits for it (up to 30 s). Idempotent. */
    @Override
    public void close() {
        Job job;
        synchronized (this) {
            closed = true;
            job = running;
        }
        if (job != null) {
            job.thread.interrupt();
            try {
                job.thread.join(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private final class Job implements Progress {
        final long id;
        final Path folder;
        final StorageSnapshot snapshot;
        final Instant startedAt;
        Thread thread;
        volatile long done;
        volatile long total = -1;
        volatile State state = State.RUNNING;
        volatile Instant finishedAt;
        volatile int databases;
        volatile PydbException error;
        private long lastLog = System.nanoTime();

        Job(long id, Path folder, StorageSnapshot snapshot, Instant startedAt) {
            this.id = id;
            this.folder = folder;
            this.snapshot = snapshot;
            this.startedAt = startedAt;
        }

        void run() {
            try (snapshot) {
                BackupManifest manifest = writer.write(snapshot, folder, serverVersion, provider, this);
                databases = manifest.databases().size();
                finishedAt = clock.instant();
                state = State.DONE;
                LOG.info("backup {} into {} done: {} databases, {} documents, {} bytes in {} ms", id, folder, databases,
                        manifest.documents(), manifest.bytes(), Duration.between(startedAt, finishedAt).toMillis());
            } catch (PydbException e) {
                fail(e);
            } catch (RuntimeException e) {
                fail(new PydbException(ErrorCode.INTERNAL, "the backup failed: " + e, e));
            } finally {
                finished(this);
            }
        }

        private void fail(PydbException e) {
            error = e;
            finishedAt = clock.instant();
            state = State.FAILED;
            LOG.error("backup {} into {} failed after {} of {} documents: {} (the folder has no manifest: it is not a"
                    + " backup)", id, folder, done, total, e.getMessage());
        }

        @Override
        public void begin(String phase, long units) {
            total = units;
        }

        @Override
        public void advance(long units) {
            done += units;
            long now = System.nanoTime();
            if (now - lastLog >= LOG_EVERY.toNanos()) {
                lastLog = now;
                LOG.info("backup {}: {} of {} documents", id, done, total);
            }
        }

        Status status() {
            return new Status(id, folder, state, done, total, startedAt, finishedAt, databases, error);
        }
    }
}
