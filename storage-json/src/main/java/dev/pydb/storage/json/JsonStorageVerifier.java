package dev.pydb.storage.json;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.Names;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageContext;
import dev.pydb.api.storage.StorageVerifier;
import dev.pydb.storage.toolkit.wal.WalVerifier;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bin/pydb verify} for a stopped json storage: reads {@code checkpoint.json}, every
 * snapshot document (checksums), a 0.1.0 {@code log.jsonl} if one is left, and every record of the
 * write-ahead log (checksums, numbering, content), and reports each damage with its file, database,
 * key and offset. Never changes a file (a torn log tail, which the next open cuts, is not damage).
 * The caller holds the storage's lock, so no server writes meanwhile.
 */
final class JsonStorageVerifier implements StorageVerifier {
    @Override
    public Report verify(StorageConfig config, StorageContext context, Progress progress) {
        requireNonNull(config, "config is null");
        requireNonNull(progress, "progress is null");
        Path root = config.path();
        Path databasesDirectory = root.resolve(JsonStorage.DATABASES_DIRECTORY);
        if (!Files.isDirectory(databasesDirectory)) {
            throw new PydbException(ErrorCode.UNAVAILABLE, "json storage: " + root + " is not a json storage (it has no "
                    + JsonStorage.DATABASES_DIRECTORY + "/ folder)");
        }
        List<Damage> damage = new ArrayList<>();
        long documents = 0;
        long logRecords = 0;
        try {
            long checkpoint = 0;
            try {
                checkpoint = CheckpointFile.read(root);
            } catch (SnapshotFile.CorruptSnapshotException e) {
                damage.add(new Damage(root.resolve(CheckpointFile.FILE_NAME).toString(), null, null, -1, e.getMessage()));
            }
            List<Path> folders = databaseFolders(databasesDirectory);
            progress.begin("databases", folders.size());
            for (Path folder : folders) {
                String db = folder.getFileName().toString();
                Path file = folder.resolve(SnapshotFile.FILE_NAME);
                try {
                    SnapshotFile.Snapshot snapshot = SnapshotFile.read(file);
                    documents += snapshot.documents().size();
                    snapshot.damaged().forEach((key, d) -> damage.add(new Damage(file.toString(), db, key, d.offset(), d.problem())));
                    snapshot.problems().forEach(p -> damage.add(new Damage(file.toString(), db, null, -1, p)));
                    logRecords += LegacyLog.read(folder.resolve(LegacyLog.FILE_NAME), snapshot.seq(), record -> {}, false).records();
                } catch (NoSuchFileException e) {
                    damage.add(new Damage(file.toString(), db, null, -1, "the snapshot is missing"));
                } catch (SnapshotFile.CorruptSnapshotException e) {
                    damage.add(new Damage(file.toString(), db, null, e.offset(), e.getMessage()));
                } catch (LegacyLog.CorruptLogException e) {
                    damage.add(new Damage(folder.resolve(LegacyLog.FILE_NAME).toString(), db, null, e.offset(), e.getMessage()));
                }
                progress.advance(1);
            }
            progress.begin("log", -1);
            WalVerifier.Result log = WalVerifier.verify(root.resolve(JsonStorage.WAL_DIRECTORY), checkpoint,
                    record -> BatchCodec.decode(record.payload()));
            log.problems().forEach(p -> damage.add(new Damage(p.file().toString(), null, null, p.offset(), p.problem())));
            logRecords += log.records();
            progress.advance(log.records());
            return new Report(folders.size(), documents, logRecords, damage);
        } catch (IOException e) {
            throw new PydbException(ErrorCode.UNAVAILABLE, "json storage: cannot read " + root + ": " + e, e);
        }
    }

    private static List<Path> databaseFolders(Path databasesDirectory) throws IOException {
        List<Path> folders = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(databasesDirectory)) {
            for (Path entry : entries) {
                if (Names.isValidDatabaseName(entry.getFileName().toString()) && Files.isDirectory(entry)) {
                    folders.add(entry);
                }
            }
        }
        folders.sort(null);
        return folders;
    }
}
