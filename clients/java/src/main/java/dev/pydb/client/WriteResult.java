package dev.pydb.client;

/** The result of one write: {@link Written} for INSERT, PUT and UPDATE, {@link Deleted} for DELETE. */
public sealed interface WriteResult permits Written, Deleted {
    /** The key written or deleted. */
    String key();
}
