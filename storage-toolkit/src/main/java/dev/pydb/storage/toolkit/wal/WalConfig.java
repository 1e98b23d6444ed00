package dev.pydb.storage.toolkit.wal;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.storage.StorageMetrics;
import java.nio.file.Path;

/**
 * How a {@link WriteAheadLog} is set up; build with {@link #builder}.
 *
 * @param directory the folder of the segment files (created with mode 0700 if missing)
 * @param storageName the storage's name for error messages and {@code StorageClosedException}, e.g. {@code json}
 * @param segmentBytes a new segment is started before a group once the current one is this large
 * @param maxGroupBytes a leader takes queued requests into its group up to this many bytes (always at least one)
 * @param checkpointAfterBytes {@code checkpointDue} is run after a commit once this many bytes were logged since the last checkpoint
 * @param checkpointDue told (on the leader's thread: it must only signal, e.g. {@link Checkpointer#request}) that a checkpoint is due
 * @param metrics where commits and checkpoints are reported
 * @param channels how segment files are opened (tests inject faults here)
 */
public record WalConfig(Path directory, String storageName, long segmentBytes, int maxGroupBytes, long checkpointAfterBytes,
        Runnable checkpointDue, StorageMetrics metrics, ChannelOpener channels) {
    public static final long DEFAULT_SEGMENT_BYTES = 16L << 20;
    public static final int DEFAULT_MAX_GROUP_BYTES = 4 << 20;

    public WalConfig {
        requireNonNull(directory, "directory is null");
        requireNonNull(storageName, "storageName is null");
        requireNonNull(checkpointDue, "checkpointDue is null");
        requireNonNull(metrics, "metrics is null");
        requireNonNull(channels, "channels is null");
        if (segmentBytes < SegmentFormat.HEADER_BYTES + 1) {
            throw new IllegalArgumentException("segmentBytes must be larger than the segment header, was " + segmentBytes);
        }
        if (maxGroupBytes < 1) {
            throw new IllegalArgumentException("maxGroupBytes must be >= 1, was " + maxGroupBytes);
        }
        if (checkpointAfterBytes < 1) {
            throw new IllegalArgumentException("checkpointAfterBytes must be >= 1, was " + checkpointAfterBytes);
        }
    }

    /** A configuration with the defaults: 16 MiB segments, 4 MiB groups, no checkpoint signal, no metrics. */
    public static Builder builder(Path directory, String storageName) {
        return new Builder(directory, storageName);
    }

    /** Builds a {@link WalConfig}. */
    public static final class Builder {
        private final Path directory;
        private final String storageName;
        private long segmentBytes = DEFAULT_SEGMENT_BYTES;
        private int maxGroupBytes = DEFAULT_MAX_GROUP_BYTES;
        private long checkpointAfterBytes = Long.MAX_VALUE;
        private Runnable checkpointDue = () -> {};
        private StorageMetrics metrics = StorageMetrics.NONE;
        private ChannelOpener channels = ChannelOpener.DEFAULT;

        private Builder(Path directory, String storageName) {
            this.directory = requireNonNull(directory, "directory is null");
            this.storageName = requireNonNull(storageName, "storageName is null");
        }

        public Builder segmentBytes(long segmentBytes) {
            this.segmentBytes = segmentBytes;
            return this;
        }

        public Builder maxGroupBytes(int maxGroupBytes) {
            this.maxGroupBytes = maxGroupBytes;
            return this;
        }

        /** Runs {@code checkpointDue} once {@code checkpointAfterBytes} were logged since the last checkpoint. */
        public Builder checkpointAfter(long checkpointAfterBytes, Runnable checkpointDue) {
            this.checkpointAfterBytes = checkpointAfterBytes;
            this.checkpointDue = requireNonNull(checkpointDue, "checkpointDue is null");
            return this;
        }

        public Builder metrics(StorageMetrics metrics) {
            this.metrics = requireNonNull(metrics, "metrics is null");
            return this;
        }

        public Builder channels(ChannelOpener channels) {
            this.channels = requireNonNull(channels, "channels is null");
            return this;
        }

        public WalConfig build() {
            return new WalConfig(directory, storageName, segmentBytes, maxGroupBytes, checkpointAfterBytes, checkpointDue,
                    metrics, channels);
        }
    }
}
