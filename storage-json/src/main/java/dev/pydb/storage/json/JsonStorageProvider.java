package dev.pydb.storage.json;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageContext;
import dev.pydb.api.storage.StorageProvider;
import dev.pydb.api.storage.StorageVerifier;
import dev.pydb.storage.toolkit.wal.ChannelOpener;
import java.util.Optional;

/**
 * The {@code json} storage backend: every document held in memory, every change in the shared
 * write-ahead log, human-readable JSON snapshots with a checksum per document.
 *
 * <h2>Files</h2>
 * <pre>
 * &lt;storage.path&gt;/wal/wal-&lt;first record&gt;.log        the write-ahead log (storage-toolkit): every change, CRC-framed
 * &lt;storage.path&gt;/checkpoint.json                  the log record every snapshot holds everything up to
 * &lt;storage.path&gt;/databases/&lt;db&gt;/snapshot.json      all documents of a database as of its "seq", pretty-printed
 * </pre>
 *
 * <h2>Durability</h2>
 * A write is checked against the current state (earlier writes not yet durable included), logged
 * and synced with the writes of other callers (group commit: one append, one fdatasync), and only
 * then made visible; a write that returned is on disk. Checkpoints (on their own thread, once the
 * log grew by {@code compact_after_bytes}, and at close) write the snapshots of the databases that
 * changed (temporary file, fsync, rename, folder fsync), then {@code checkpoint.json}, and only then
 * let the log delete the segments they cover; writes go on meanwhile.
 *
 * <h2>Faults</h2>
 * A full disk fails the write with {@code LIMIT_EXCEEDED} and writes resume once there is room; a
 * failed fsync refuses every later write with {@code UNAVAILABLE} until a restart; a torn last log
 * record is cut with a WARN; damage elsewhere in the log refuses the start naming the file and
 * offset; a document whose checksum fails answers {@code CORRUPTED} (the rest of the database keeps
 * working). A 0.1.0 data folder is upgraded in place at its first open. docs/STORAGE-JSON.md has
 * the details.
 *
 * <h2>Options</h2>
 * <ul>
 *   <li>{@code compact_after_bytes} (integer, default 67108864 = 64 MiB, at least 1): checkpoint
 *       once the log grew by this much since the last checkpoint.</li>
 * </ul>
 * Any other option is a {@link dev.pydb.api.ConfigException} naming it.
 *
 * <h2>Limits</h2>
 * All documents of all databases are kept in memory. Bodies are stored in compact form (the same
 * JSON value, insignificant whitespace removed), so a read may return different bytes than were
 * written. A checkpoint rewrites the whole snapshot of each database that changed.
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
        return JsonStorage.open(config.path(), JsonStorageOptions.from(config.options()), context.metrics(), ChannelOpener.DEFAULT);
    }

    @Override
    public Optional<StorageVerifier> verifier() {
        return Optional.of(new JsonStorageVerifier());
    }
}
