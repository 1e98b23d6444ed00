package dev.pydb.engine.backup;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.KeyOrder;
import dev.pydb.api.storage.StorageVerifier.Progress;
import dev.pydb.engine.backup.BackupFormat.BackupDamageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.function.Consumer;

/**
 * Reads a backup folder: its manifest, the files' sizes and SHA-256 ({@link #checkFiles}), and the
 * documents of one database line by line, each checked against its CRC32C, in strictly ascending
 * key order and as many as the manifest says ({@link #documents}). Damage is a
 * {@link BackupDamageException} naming the file and, for a line, its number.
 */
public final class BackupReader {
    private final Path folder;
    private final BackupManifest manifest;

    private BackupReader(Path folder, BackupManifest manifest) {
        this.folder = folder;
        this.manifest = manifest;
    }

    /** Opens the backup in {@code folder}; {@link BackupDamageException} if its manifest is missing or invalid. */
    public static BackupReader open(Path folder, ObjectMapper json) throws IOException {
        requireNonNull(folder, "folder is null");
        Path file = folder.resolve(BackupFormat.MANIFEST);
        if (!Files.isDirectory(folder)) {
            throw new NoSuchFileException(folder.toString(), null, "no such backup folder");
        }
        if (!Files.exists(file)) {
            throw new BackupDamageException(folder + " holds no " + BackupFormat.MANIFEST
                    + " (not a backup, or an unfinished one)");
        }
        try {
            return new BackupReader(folder, BackupManifest.fromJson(json.readTree(file.toFile())));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BackupDamageException(file + " is not valid JSON: " + e.getOriginalMessage());
        } catch (BackupDamageException e) {
            throw new BackupDamageException(file + ": " + e.getMessage());
        }
    }

    public BackupManifest manifest() {
        return manifest;
    }

    public Path folder() {
        return folder;
    }

    /** Checks every file's size and SHA-256 against the manifest; progress in bytes ({@code "checksums"}). */
    public void checkFiles(Progress progress) throws IOException {
        progress.begin("checksums", manifest.bytes());
        byte[] buffer = new byte[1 << 16];
        for (BackupManifest.DatabaseEntry db : manifest.databases()) {
            Path file = folder.resolve(db.file());
            if (!Files.exists(file)) {
                throw new BackupDamageException(file + " is missing");
            }
            long size = Files.size(file);
            if (size != db.bytes()) {
                throw new BackupDamageException(file + " has " + size + " bytes, the manifest says " + db.bytes());
            }
            MessageDigest sha = BackupWriter.sha256();
            try (InputStream in = Files.newInputStream(file)) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    sha.update(buffer, 0, n);
                    progress.advance(n);
                }
            }
            String actual = HexFormat.of().formatHex(sha.digest());
            if (!actual.equalsIgnoreCase(db.sha256())) {
                throw new BackupDamageException(file + " fails its SHA-256 (" + actual + ", the manifest says "
                        + db.sha256() + ")");
            }
        }
    }

    /** Hands every document of {@code db} to {@code sink}, in key order. */
    public void documents(BackupManifest.DatabaseEntry db, Consumer<Document> sink) throws IOException {
        Path file = folder.resolve(db.file());
        long count = 0;
        String previous = null;
        try (InputStream in = Files.newInputStream(file)) {
            LineReader lines = new LineReader(in);
            while (lines.next()) {
                long number = count + 1;
                if (!lines.terminated()) {
                    throw new BackupDamageException(file + " line " + number + ": cut short (no newline at its end)");
                }
                Document document;
                try {
                    document = BackupFormat.decode(lines.line(), lines.length());
                } catch (BackupDamageException e) {
                    throw new BackupDamageException(file + " line " + number + ": " + e.getMessage());
                }
                if (previous != null && KeyOrder.compare(previous, document.key()) >= 0) {
                    throw new BackupDamageException(file + " line " + number + ": key '" + document.key()
                            + "' is not after '" + previous + "'");
                }
                previous = document.key();
                count++;
                sink.accept(document);
            }
        }
        if (count != db.documents()) {
            throw new BackupDamageException(file + " holds " + count + " documents, the manifest says " + db.documents());
        }
    }
}
