package dev.pydb.engine.backup;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.DocumentImporter;
import dev.pydb.api.storage.IndexSpec;
import dev.pydb.api.storage.Indexes;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageVerifier.Progress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Loads a backup into an empty storage through its {@link DocumentImporter}: first every file's
 * size and SHA-256 are checked (nothing is written to a storage from a damaged backup), then the
 * databases are created and their documents imported with their revisions, in batches of up to
 * {@value #BATCH_DOCUMENTS} documents or {@value #BATCH_BYTES} bytes (each batch atomic and durable),
 * each line checked against its CRC32C; last the indexes are created (they build in the storage's
 * background and resume after a restart).
 */
public final class Restore {
    static final int BATCH_DOCUMENTS = 1000;
    static final int BATCH_BYTES = 4 << 20;

    /** What was restored; {@code skippedIndexes} lists "db.field" of indexes the storage cannot hold. */
    public record Summary(int databases, long documents, int indexes, List<String> skippedIndexes) {
        public Summary {
            skippedIndexes = List.copyOf(skippedIndexes);
        }
    }

    private Restore() {}

    /**
     * Restores {@code backup} into {@code storage}, which must hold no database.
     *
     * @throws BackupFormat.BackupDamageException the backup is damaged (before anything was
     *     written if a checksum of a file fails)
     * @throws PydbException {@code CONFLICT} if the storage is not empty, {@code UNSUPPORTED} if it
     *     has no importer, or what the storage throws
     */
    public static Summary run(BackupReader backup, Storage storage, Progress progress) throws IOException {
        requireNonNull(backup, "backup is null");
        requireNonNull(storage, "storage is null");
        requireNonNull(progress, "progress is null");
        DocumentImporter importer = storage.importer()
                .orElseThrow(() -> new PydbException(ErrorCode.UNSUPPORTED, "this storage cannot import documents"));
        List<String> existing = storage.listDatabases();
        if (!existing.isEmpty()) {
            throw new PydbException(ErrorCode.CONFLICT, "a restore needs an empty storage; this one holds the databases "
                    + String.join(", ", existing));
        }
        backup.checkFiles(progress);
        BackupManifest manifest = backup.manifest();
        progress.begin("documents", manifest.documents());
        long documents = 0;
        for (BackupManifest.DatabaseEntry db : manifest.databases()) {
            storage.createDatabase(db.name());
            documents += importDatabase(backup, db, importer, progress);
        }
        Optional<Indexes> indexes = storage.indexes();
        int created = 0;
        List<String> skipped = new ArrayList<>();
        for (BackupManifest.DatabaseEntry db : manifest.databases()) {
            for (IndexSpec spec : db.indexes()) {
                if (indexes.isPresent()) {
                    indexes.get().create(db.name(), spec);
                    created++;
                } else {
                    skipped.add(db.name() + "." + spec.field().dotted());
                }
            }
        }
        return new Summary(manifest.databases().size(), documents, created, skipped);
    }

    private static long importDatabase(BackupReader backup, BackupManifest.DatabaseEntry db, DocumentImporter importer,
            Progress progress) throws IOException {
        List<Document> batch = new ArrayList<>(BATCH_DOCUMENTS);
        long[] bytes = {0};
        long[] imported = {0};
        try {
            backup.documents(db, document -> {
                batch.add(document);
                bytes[0] += document.body().length + document.key().length();
                if (batch.size() >= BATCH_DOCUMENTS || bytes[0] >= BATCH_BYTES) {
                    flush(importer, db.name(), batch, progress);
                    imported[0] += batch.size();
                    batch.clear();
                    bytes[0] = 0;
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        if (!batch.isEmpty()) {
            flush(importer, db.name(), batch, progress);
            imported[0] += batch.size();
        }
        return imported[0];
    }

    private static void flush(DocumentImporter importer, String db, List<Document> batch, Progress progress) {
        importer.importDocuments(db, List.copyOf(batch));
        progress.advance(batch.size());
    }
}
