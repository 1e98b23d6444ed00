package dev.pydb.storage.json;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.KeyOrder;
import dev.pydb.storage.toolkit.file.DurableFiles;
import dev.pydb.storage.toolkit.file.FilePermissions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of one database folder: creates a new one, and loads an existing one, upgrading a
 * 0.1.0 folder (a format-1 snapshot and {@code log.jsonl}) in place: the old log is replayed
 * strictly, a format-2 snapshot with checksums is written, then the old log is deleted.
 */
final class DatabaseFiles {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseFiles.class);

    private DatabaseFiles() {}

    /**
     * Creates database {@code name} in {@code databases}, durably: built as
     * {@code .<name>.creating/} (an empty snapshot at {@code sequence}), renamed, folder synced.
     * On failure nothing of it is left.
     */
    static Database create(Path databases, String name, long sequence) throws IOException {
        Path temporary = databases.resolve(JsonStorage.creatingName(name));
        Path directory = databases.resolve(name);
        boolean renamed = false;
        try {
            DurableFiles.deleteRecursively(temporary);
            FilePermissions.createDirectory(temporary);
            SnapshotFile.write(temporary, name, sequence, new TreeMap<>(KeyOrder.COMPARATOR), Map.of());
            Files.move(temporary, directory, StandardCopyOption.ATOMIC_MOVE);
            renamed = true;
            DurableFiles.syncDirectory(databases);
            return Database.empty(name, directory, sequence);
        } catch (IOException | RuntimeException e) {
            try {
                DurableFiles.deleteRecursively(renamed ? directory : temporary);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Loads the database in {@code directory} (upgrading a 0.1.0 one to a snapshot at
     * {@code checkpointSequence}); {@code UNAVAILABLE} naming the file if it cannot. Damaged
     * documents are logged (file, database, key) and kept as damaged.
     */
    static Database load(Path directory, String name, long checkpointSequence) {
        Path snapshotFile = directory.resolve(SnapshotFile.FILE_NAME);
        Path legacyLog = directory.resolve(LegacyLog.FILE_NAME);
        try {
            Files.deleteIfExists(directory.resolve(SnapshotFile.TEMP_FILE_NAME));
            SnapshotFile.Snapshot snapshot = readSnapshot(snapshotFile);
            long sequence = snapshot.seq();
            if (snapshot.format() == 1 || Files.exists(legacyLog)) {
                sequence = upgrade(directory, name, snapshot, legacyLog, checkpointSequence);
            }
            for (Map.Entry<String, DocumentDamage> damaged : snapshot.damaged().entrySet()) {
                DocumentDamage damage = damaged.getValue();
                LOG.error("json storage: document '{}' of database '{}' in {} is damaged: {}; reading it answers CORRUPTED"
                        + " until it is overwritten (PUT), deleted or restored from a backup", damaged.getKey(), name,
                        damage.where(), damage.problem());
            }
            for (String problem : snapshot.problems()) {
                LOG.error("json storage: {} in database '{}': {}", snapshotFile, name, problem);
            }
            FilePermissions.restrict(directory);
            FilePermissions.restrict(snapshotFile);
            return new Database(name, directory, snapshot.toDocuments(name), sequence);
        } catch (IOException e) {
            throw unavailable("cannot read database '" + name + "' in " + directory + ": " + e, e);
        }
    }

    private static SnapshotFile.Snapshot readSnapshot(Path file) throws IOException {
        try {
            return SnapshotFile.read(file);
        } catch (NoSuchFileException e) {
            throw unavailable(file + " is missing", e);
        } catch (SnapshotFile.CorruptSnapshotException e) {
            throw unavailable(file + " is corrupt: " + e.getMessage() + "; restore it from a backup or repair it by hand"
                    + " (bin/pydb verify lists the damage)", null);
        }
    }

    /** Replays a 0.1.0 log into the snapshot, writes it in format 2, deletes the log; returns the new snapshot's sequence. */
    private static long upgrade(Path directory, String name, SnapshotFile.Snapshot snapshot, Path legacyLog, long checkpointSequence)
            throws IOException {
        if (snapshot.format() == 2) {
            // an upgrade was interrupted after it wrote the new snapshot: the old log is in it
            LOG.info("json storage: deleting {}: its records are in the upgraded snapshot already", legacyLog);
            Files.delete(legacyLog);
            DurableFiles.syncDirectory(directory);
            return snapshot.seq();
        }
        long records;
        try {
            records = LegacyLog.read(legacyLog, snapshot.seq(), record -> {
                for (Map.Entry<String, Document> change : record.changes().entrySet()) {
                    if (change.getValue() == null) {
                        snapshot.documents().remove(change.getKey());
                    } else {
                        snapshot.documents().put(change.getKey(), change.getValue());
                    }
                    snapshot.damaged().remove(change.getKey());
                }
            }, true).records();
        } catch (LegacyLog.CorruptLogException e) {
            throw unavailable(e.getMessage() + "; restore it from a backup or repair it by hand", null);
        }
        SnapshotFile.write(directory, name, checkpointSequence, snapshot.documents(), snapshot.damaged());
        Files.deleteIfExists(legacyLog);
        DurableFiles.syncDirectory(directory);
        LOG.info("json storage: upgraded database '{}' in {} from the 0.1.0 format: {} record(s) of {} replayed into a"
                + " checksummed snapshot; the old log is deleted", name, directory, records, LegacyLog.FILE_NAME);
        return checkpointSequence;
    }

    private static PydbException unavailable(String message, Throwable cause) {
        return new PydbException(ErrorCode.UNAVAILABLE, "json storage: " + message, cause);
    }
}
