/**
 * File handling the backends share: owner-only permissions ({@link dev.pydb.storage.toolkit.file.FilePermissions}),
 * durable replacement and directory fsync ({@link dev.pydb.storage.toolkit.file.DurableFiles}), and the one
 * rule for a full disk versus a failed fsync ({@link dev.pydb.storage.toolkit.file.DiskFailures}).
 */
package dev.pydb.storage.toolkit.file;
