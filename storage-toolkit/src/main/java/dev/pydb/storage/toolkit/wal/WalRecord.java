package dev.pydb.storage.toolkit.wal;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * One record read back from the log: its sequence number, its payload (the bytes the backend gave
 * {@link Prepared#payload()}; the array is the handler's to keep), and where it is, for messages.
 */
public record WalRecord(long sequence, byte[] payload, Path segment, long offset) {
    public WalRecord {
        requireNonNull(payload, "payload is null");
        requireNonNull(segment, "segment is null");
    }

    /** "&lt;segment&gt; at offset &lt;offset&gt; (record &lt;sequence&gt;)", for error messages. */
    public String where() {
        return segment + " at offset " + offset + " (record " + sequence + ")";
    }
}
