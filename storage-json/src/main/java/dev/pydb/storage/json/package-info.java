/**
 * The {@code json} storage backend: documents in memory, changes in the toolkit's write-ahead log,
 * human-readable checksummed snapshots per database. {@link dev.pydb.storage.json.JsonStorageProvider}
 * describes the files, durability, faults and options. Writes run on the caller's thread (group
 * commit); checkpoints on their own thread.
 */
package dev.pydb.storage.json;
