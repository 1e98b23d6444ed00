package dev.pydb.storage.json;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.NavigableMap;

/**
 * The files of one database folder: creates a new one and loads an existing one (snapshot, then
 * the log replayed on top).
 */
final class DatabaseFiles {
    static final String LOG_FILE_NAME = "log.jsonl";

    private DatabaseFiles() {}

    /** Fills a new, empty folder with an empty database's files, durably. */
    static void initialize(Path directory, String name) throws IOException {
        SnapshotFile.write(directory, name, 0, List.of());
        DurableFiles.writeNewFile(directory.resolve(LOG_FILE_NAME), new byte[0]);
    }

    /** Loads the database in {@code directory}; {@code UNAVAILABLE} naming the file if it cannot. */
    static Database load(Path directory, String name) {
        Path snapshotFile = directory.resolve(SnapshotFile.FILE_NAME);
        try {
            Files.deleteIfExists(directory.resolve(SnapshotFile.TEMP_FILE_NAME));
            SnapshotFile.Snapshot snapshot;
            try {
                snapshot = SnapshotFile.read(snapshotFile);
            } catch (NoSuchFileException e) {
                throw unavailable(snapshotFile + " is missing", e);
            } catch (SnapshotFile.CorruptSnapshotException e) {
                throw unavailable(snapshotFile + " is corrupt: " + e.getMessage()
                        + "; restore it from a backup or repair it by hand", null);
            }
            NavigableMap<String, Document> documents = snapshot.documents();
            Path logFile = directory.resolve(LOG_FILE_NAME);
            LogRecovery.Result log = LogRecovery.replay(logFile, snapshot.seq(), record -> apply(record, documents));
            return new Database(name, directory, documents, DatabaseLog.open(logFile, log.validSize(), log.lastSeq()));
        } catch (IOException e) {
            throw unavailable("cannot read database '" + name + "' in " + directory + ": " + e, e);
        }
    }

    private static void apply(LogRecord record, NavigableMap<String, Document> documents) {
        for (Change change : record.changes()) {
            switch (change) {
                case Change.Store store -> documents.put(store.key(), store.document());
                case Change.Remove remove -> documents.remove(remove.key());
            }
        }
    }

    private static PydbException unavailable(String message, Throwable cause) {
        return new PydbException(ErrorCode.UNAVAILABLE, "json storage: " + message, cause);
    }
}
