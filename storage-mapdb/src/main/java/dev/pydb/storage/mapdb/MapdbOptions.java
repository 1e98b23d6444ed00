package dev.pydb.storage.mapdb;

import dev.pydb.api.storage.StorageOptions;

/**
 * The validated {@code storage.options} of the {@code mapdb} provider.
 *
 * @param commitMaxBatch the most write requests the committer applies in one commit
 * @param mmap whether the store file is memory-mapped instead of read through a file channel
 */
record MapdbOptions(int commitMaxBatch, boolean mmap) {
    static final String COMMIT_MAX_BATCH = "commit_max_batch";
    static final String MMAP = "mmap";
    static final int DEFAULT_COMMIT_MAX_BATCH = 1024;
    static final int MAX_COMMIT_MAX_BATCH = 65_536;

    MapdbOptions {
        if (commitMaxBatch < 1 || commitMaxBatch > MAX_COMMIT_MAX_BATCH) {
            throw new IllegalArgumentException("commitMaxBatch out of range: " + commitMaxBatch);
        }
    }

    static MapdbOptions defaults() {
        return new MapdbOptions(DEFAULT_COMMIT_MAX_BATCH, false);
    }

    /** Reads the options strictly: an unknown option or a bad value is a {@link dev.pydb.api.ConfigException} naming it. */
    static MapdbOptions from(StorageOptions options) {
        options.requireOnly(COMMIT_MAX_BATCH, MMAP);
        return new MapdbOptions(
                options.getInt(COMMIT_MAX_BATCH, DEFAULT_COMMIT_MAX_BATCH, 1, MAX_COMMIT_MAX_BATCH),
                options.getBoolean(MMAP, false));
    }
}
