package dev.pydb.engine.config;

/**
 * The memory limits of the {@code server} section. {@code max_request_memory}: the server-wide
 * budget, in bytes, for requests being received, parsed and executed and for responses waiting
 * to be written (0, the default: half of the JVM's maximum heap, see
 * {@link #effectiveMaxRequestMemory(long)}). {@code max_output_bytes_per_connection}: the
 * unwritten output one connection may hold once its socket takes no more (default 64 MiB); a
 * client over it is disconnected.
 */
public record MemoryConfig(long maxRequestMemory, long maxOutputBytesPerConnection) {
    /** The default output ceiling of one connection. */
    public static final long DEFAULT_MAX_OUTPUT_BYTES_PER_CONNECTION = 64L * 1024 * 1024;
    /** The share of the maximum heap that the default budget takes. */
    public static final double DEFAULT_HEAP_SHARE = 0.5;
    public static final MemoryConfig DEFAULTS = new MemoryConfig(0, DEFAULT_MAX_OUTPUT_BYTES_PER_CONNECTION);

    public MemoryConfig {
        if (maxRequestMemory < 0) {
            throw new IllegalArgumentException("max_request_memory must be >= 0 (0: from the heap), was " + maxRequestMemory);
        }
        if (maxOutputBytesPerConnection <= 0) {
            throw new IllegalArgumentException("max_output_bytes_per_connection must be > 0, was "
                    + maxOutputBytesPerConnection);
        }
    }

    /** The budget in bytes: the configured one, or {@value #DEFAULT_HEAP_SHARE} x {@code maxHeapBytes} if it is 0. */
    public long effectiveMaxRequestMemory(long maxHeapBytes) {
        return maxRequestMemory > 0 ? maxRequestMemory : (long) (maxHeapBytes * DEFAULT_HEAP_SHARE);
    }
}
