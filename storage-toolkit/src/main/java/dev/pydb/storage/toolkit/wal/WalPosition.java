package dev.pydb.storage.toolkit.wal;

/**
 * A point of the log: every record up to {@code sequence} is durable and published, and
 * {@code bytes} is how many bytes of records the log had written up to it since it was opened
 * (for deciding when to checkpoint).
 */
public record WalPosition(long sequence, long bytes) {
    public WalPosition {
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must be >= 0, was " + sequence);
        }
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must be >= 0, was " + bytes);
        }
    }
}
