package dev.pydb.storage.lmdb;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.storage.StorageOptions;

/**
 * The validated {@code storage.options} of the {@code lmdb} provider.
 *
 * @param mapSizeBytes the largest size the data file may reach ({@code map_size_bytes}, default
 *     1 GiB), rounded up to a multiple of {@link #PAGE_SIZE}
 * @param maxReaders the most read transactions open at once ({@code max_readers}, default 1024);
 *     more concurrent readers wait for a slot
 * @param writeMap whether commits write through a writable memory map ({@code write_map}, LMDB
 *     {@code MDB_WRITEMAP}, default false): fewer system calls per commit, equally durable, but
 *     the data file is a sparse file of the map size and a full disk kills the process (SIGBUS)
 */
record LmdbOptions(long mapSizeBytes, int maxReaders, boolean writeMap) {
    static final String MAP_SIZE_BYTES = "map_size_bytes";
    static final String MAX_READERS = "max_readers";
    static final String WRITE_MAP = "write_map";

    static final long PAGE_SIZE = 4096;
    static final long DEFAULT_MAP_SIZE_BYTES = 1L << 30;
    static final long MIN_MAP_SIZE_BYTES = 64 * 1024;
    /** 16 TiB: far above any disk here, far below the 47-bit user address space of x86-64. */
    static final long MAX_MAP_SIZE_BYTES = 1L << 44;
    static final int DEFAULT_MAX_READERS = 1024;
    static final int MAX_MAX_READERS = 1 << 16;

    LmdbOptions {
        if (mapSizeBytes < MIN_MAP_SIZE_BYTES || mapSizeBytes > MAX_MAP_SIZE_BYTES) {
            throw new IllegalArgumentException("mapSizeBytes out of range: " + mapSizeBytes);
        }
        if (maxReaders < 1 || maxReaders > MAX_MAX_READERS) {
            throw new IllegalArgumentException("maxReaders out of range: " + maxReaders);
        }
    }

    /** Reads and validates the options; unknown or invalid ones fail with a {@link dev.pydb.api.ConfigException}. */
    static LmdbOptions from(StorageOptions options) {
        requireNonNull(options, "options is null");
        options.requireOnly(MAP_SIZE_BYTES, MAX_READERS, WRITE_MAP);
        long mapSize = options.getLong(MAP_SIZE_BYTES, DEFAULT_MAP_SIZE_BYTES, MIN_MAP_SIZE_BYTES, MAX_MAP_SIZE_BYTES);
        int maxReaders = options.getInt(MAX_READERS, DEFAULT_MAX_READERS, 1, MAX_MAX_READERS);
        long roundedMapSize = (mapSize + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
        return new LmdbOptions(roundedMapSize, maxReaders, options.getBoolean(WRITE_MAP, false));
    }
}
