package dev.pydb.storage.json;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageContext;
import dev.pydb.api.storage.StorageProvider;

/**
 * The {@code json} storage backend: human-readable JSON files, every document held in memory.
 *
 * <h2>Files</h2>
 * <pre>
 * &lt;storage.path&gt;/databases/&lt;db&gt;/snapshot.json   all documents as of record "seq", pretty-printed
 * &lt;storage.path&gt;/databases/&lt;db&gt;/log.jsonl       one JSON line per committed batch after that
 * </pre>
 * A log line is {@code {"crc":"<crc32 of the batch>","batch":{"seq":n,"changes":[…]}}}; each
 * change is {@code {"op":"put","key":…,"rev":…,"doc":{…}}} or {@code {"op":"delete","key":…}}.
 *
 * <h2>Durability</h2>
 * One committer thread applies all changes. It takes every waiting batch at once, checks and
 * applies each against the state the earlier ones left, appends one line per batch, fsyncs each
 * touched log once (group commit), then makes the changes visible and releases the callers: a
 * write returns only once it is on disk. Creating a database builds its folder under a temporary
 * name and renames it; dropping renames it away and deletes it; both fsync the parent folder.
 * When a log grows past {@code compact_after_bytes} its database is written to a new snapshot
 * (temporary file, fsync, atomic rename, directory fsync) and the log is emptied; writes wait
 * meanwhile.
 *
 * <h2>Recovery</h2>
 * At open each database loads its snapshot and replays the log records newer than it. A torn last
 * line (no newline, or a bad checksum: a write cut by a crash, never acknowledged) is truncated
 * with a WARN naming the file and offset. A bad line anywhere else, a gap in the records, or a
 * snapshot that is not valid fails the open with {@code UNAVAILABLE} naming the file: corruption is
 * never accepted silently.
 *
 * <h2>Options</h2>
 * <ul>
 *   <li>{@code compact_after_bytes} (integer, default 67108864 = 64 MiB, at least 1): compact a
 *       database once its log is larger.</li>
 * </ul>
 * Any other option is a {@link dev.pydb.api.ConfigException} naming it.
 *
 * <h2>Limits</h2>
 * All documents of all databases are kept in memory. Bodies are stored in compact form (the same
 * JSON value, insignificant whitespace removed), so a read may return different bytes than were
 * written. Compaction rewrites a whole database and holds up writes while it runs.
 */
public final class JsonStorageProvider implements StorageProvider {
    /** The provider's name in {@code storage.provider}. */
    public static final String NAME = "json";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Storage open(StorageConfig config, StorageContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        return JsonStorage.open(config.path(), JsonStorageOptions.from(config.options()));
    }
}
