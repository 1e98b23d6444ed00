package dev.pydb.api.storage;

/**
 * Where a storage reports what the server exports as metrics ({@link StorageContext#metrics()}).
 * Calls must be cheap and never throw; the engine's implementation only updates counters.
 */
public interface StorageMetrics {
    /** A storage that reports nothing. */
    StorageMetrics NONE = new StorageMetrics() {};

    /**
     * One commit made durable: {@code requests} write calls shared it, {@code bytes} were appended,
     * it took {@code nanos} from the first request's arrival to durability.
     */
    default void commitCompleted(int requests, long bytes, long nanos) {}

    /** One checkpoint (the backend's own store brought up to date, log truncated) took {@code nanos}. */
    default void checkpointCompleted(long nanos) {}
}
