package dev.pydb.storage.mapdb;

import dev.pydb.api.storage.StorageOptions;

/**
 * The validated {@code storage.options} of the {@code mapdb} provider.
 *
 * @param commitMaxBatch the most write requests the committer applies in one commit
 * @param mmap whether the store file is memory-mapped instead of read through a file channel
 * @param checkpointOps after how many logged operations MapDB is checkpointed
 */
record MapdbOptions(int commitMaxBatch, boolean mmap, int checkpointOps) {
    static final String COMMIT_MAX_BATCH = "commit_max_batch";
    static final String MMAP = "mmap";
    static final String CHECKPOINT_OPS = "checkpoint_ops";
    static final int DEFAULT_COMMIT_MAX_BATCH = 1024;
    static final int MAX_COMMIT_MAX_BATCH = 65_536;
    static final int DEFAULT_CHECKPOINT_OPS = 16_384;
    static final int MAX_CHECKPOINT_OPS = 1 << 24;
    /** A checkpoint is also due once the operation log holds this many bytes. */
    static final long CHECKPOINT_LOG_BYTES = 64L << 20;

    MapdbOptions {
        if (commitMaxBatch < 1 || commitMaxBatch > MAX_COMMIT_MAX_BATCH) {
            throw new IllegalArgumentException("commitMaxBatch out of range: " + commitMaxBatch);
        }
        if (checkpointOps < 1 || checkpointOps > MAX_CHECKPOINT_OPS) {
            throw new IllegalArgumentException("checkpointOps out of range: " + checkpointOps);
        }
    }

    Checkpoints checkpoints() {
        return new Checkpoints(checkpointOps, CHECKPOINT_LOG_BYTES);
    }

    static MapdbOptions defaults() {
        return new MapdbOptions(DEFAULT_COMMIT_MAX_BATCH, false, DEFAULT_CHECKPOINT_OPS);
    }

    /** Reads the options strictly: an unknown option or a bad value is a {@link dev.pydb.api.ConfigException} naming it. */
    static MapdbOptions from(StorageOptions options) {
        options.requireOnly(COMMIT_MAX_BATCH, MMAP, CHECKPOINT_OPS);
        return new MapdbOptions(
                options.getInt(COMMIT_MAX_BATCH, DEFAULT_COMMIT_MAX_BATCH, 1, MAX_COMMIT_MAX_BATCH),
                options.getBoolean(MMAP, false),
                options.getInt(CHECKPOINT_OPS, DEFAULT_CHECKPOINT_OPS, 1, MAX_CHECKPOINT_OPS));
    }
}
