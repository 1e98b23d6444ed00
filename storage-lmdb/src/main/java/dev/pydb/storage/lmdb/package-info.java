/**
 * The {@code lmdb} storage backend ({@link dev.pydb.storage.lmdb.LmdbStorageProvider}).
 *
 * <p>Thread safety: the storage is used from any thread; write transactions run only on the
 * backend's own writer thread. Errors reach callers as {@link dev.pydb.api.PydbException}s:
 * {@code LIMIT_EXCEEDED} when the map or the disk is full, {@code CORRUPTED} when a stored value
 * fails its checksum, {@code UNAVAILABLE} when LMDB fails or the storage is closed; lmdbjava's
 * exceptions never leave the package except as their cause.
 */
package dev.pydb.storage.lmdb;
