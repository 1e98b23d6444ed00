/**
 * The {@code json} storage backend: documents in memory, changes in human-readable JSON files
 * (a pretty-printed snapshot and an append-only, checksummed log per database).
 * {@link dev.pydb.storage.json.JsonStorageProvider} describes the files, durability, recovery and
 * options. All changes run on one committer thread; reads run on the caller's thread.
 */
package dev.pydb.storage.json;
