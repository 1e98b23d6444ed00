package dev.pydb.storage.json;

import dev.pydb.api.storage.StorageOptions;

/**
 * The {@code storage.options} of the json backend.
 *
 * @param compactAfterBytes a checkpoint (the changed databases' snapshots rewritten, the log
 *     truncated) runs once the write-ahead log grew by this many bytes since the last one
 *     ({@code compact_after_bytes}, default 64 MiB, at least 1)
 */
record JsonStorageOptions(long compactAfterBytes) {
    static final String COMPACT_AFTER_BYTES = "compact_after_bytes";
    static final long DEFAULT_COMPACT_AFTER_BYTES = 64L << 20;

    JsonStorageOptions {
        if (compactAfterBytes < 1) {
            throw new IllegalArgumentException("compactAfterBytes must be at least 1, was " + compactAfterBytes);
        }
    }

    /** Reads the options strictly: an unknown or invalid option is a {@link dev.pydb.api.ConfigException}. */
    static JsonStorageOptions from(StorageOptions options) {
        options.requireOnly(COMPACT_AFTER_BYTES);
        return new JsonStorageOptions(
                options.getLong(COMPACT_AFTER_BYTES, DEFAULT_COMPACT_AFTER_BYTES, 1, Long.MAX_VALUE));
    }
}
