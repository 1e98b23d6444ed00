package dev.pydb.api.storage;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Checks the files of a storage that is not open ({@link StorageProvider#verifier()}), for
 * {@code bin/pydb verify}: reads every record, checks every checksum and log record, and reports
 * each damage instead of stopping at the first. Never changes a file.
 */
public interface StorageVerifier {
    /**
     * Verifies the storage at {@code config.path()}.
     *
     * @throws dev.pydb.api.PydbException {@code UNAVAILABLE} when the storage cannot be read at all
     *     (missing, locked by a running server, not this backend's files)
     */
    Report verify(StorageConfig config, StorageContext context, Progress progress);

    /** Told as work proceeds; called from the verifying thread. */
    interface Progress {
        Progress NONE = new Progress() {};

        /** A phase begins (e.g. "log", "documents"); {@code total} units, or -1 if unknown. */
        default void begin(String phase, long total) {}

        /** {@code units} more of the current phase are done. */
        default void advance(long units) {}
    }

    /** One damaged place. {@code database}, {@code key} may be {@code null}; {@code offset} -1 if none. */
    record Damage(String file, String database, String key, long offset, String problem) {
        public Damage {
            requireNonNull(file, "file is null");
            requireNonNull(problem, "problem is null");
        }
    }

    /** What was read and what was found. Clean when {@code damage} is empty. */
    record Report(long databases, long documents, long logRecords, List<Damage> damage) {
        public Report {
            damage = List.copyOf(damage);
        }

        public boolean clean() {
            return damage.isEmpty();
        }
    }
}
