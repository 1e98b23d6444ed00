package dev.pydb.engine.backup;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.StorageSnapshot;
import dev.pydb.api.storage.StorageVerifier.Progress;
import dev.pydb.engine.files.OwnerOnlyFiles;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes a {@link StorageSnapshot} into a backup folder ({@link BackupFormat}): the folder must be
 * absent or empty; it is created 0700, every file 0600 and fsynced, the manifest last (written to a
 * temporary name, fsynced and renamed), so a folder with a manifest holds a whole backup.
 */
public final class BackupWriter {
    static final int PAGE = 1000;

    private final ObjectMapper json;
    private final Clock clock;

    public BackupWriter(ObjectMapper json, Clock clock) {
        this.json = requireNonNull(json, "json is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * Writes the backup; progress in documents ({@code begin("documents", total)}). Stops with an
     * {@code UNAVAILABLE} exception if the thread is interrupted (the folder is then unfinished:
     * no manifest).
     *
     * @throws PydbException {@code BAD_REQUEST} if the folder is not empty or not a folder,
     *     {@code UNAVAILABLE} for an I/O failure, or what the snapshot throws (e.g. {@code CORRUPTED})
     */
    public BackupManifest write(StorageSnapshot snapshot, Path folder, String serverVersion, String provider,
            Progress progress) {
        prepare(folder);
        List<String> databases = snapshot.listDatabases();
        long total = 0;
        for (String db : databases) {
            total += snapshot.count(db);
        }
        progress.begin("documents", total);
        List<BackupManifest.DatabaseEntry> entries = new ArrayList<>();
        for (String db : databases) {
            entries.add(writeDatabase(snapshot, folder, db, progress));
        }
        BackupManifest manifest = new BackupManifest(clock.instant(), serverVersion, provider, entries);
        writeManifest(folder, manifest);
        return manifest;
    }

    private static void prepare(Path folder) {
        try {
            if (Files.exists(folder)) {
                if (!Files.isDirectory(folder)) {
                    throw PydbException.badRequest("the backup target " + folder + " is not a folder");
                }
                try (Stream<Path> entries = Files.list(folder)) {
                    if (entries.findAny().isPresent()) {
                        throw PydbException.badRequest("the backup target " + folder + " is not empty");
                    }
                }
            }
            OwnerOnlyFiles.createFolders(folder);
        } catch (IOException e) {
            throw new PydbException(ErrorCode.UNAVAILABLE, "cannot create the backup folder " + folder + ": " + e, e);
        }
    }

    private BackupManifest.DatabaseEntry writeDatabase(StorageSnapshot snapshot, Path folder, String db, Progress progress) {
        Path file = folder.resolve(BackupFormat.fileOf(db));
        MessageDigest sha = sha256();
        long documents = 0;
        long bytes = 0;
        try (FileChannel channel = open(file);
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16)) {
            String after = null;
            while (true) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new PydbException(ErrorCode.UNAVAILABLE, "the backup was cancelled");
                }
                List<Document> page = snapshot.scan(db, after, PAGE);
                for (Document document : page) {
                    byte[] line = BackupFormat.encode(document);
                    out.write(line);
                    sha.update(line);
                    bytes += line.length;
                }
                documents += page.size();
                progress.advance(page.size());
                if (page.size() < PAGE) {
                    break;
                }
                after = page.get(page.size() - 1).key();
            }
            out.flush();
            channel.force(true);
        } catch (IOException e) {
            throw new PydbException(ErrorCode.UNAVAILABLE, "cannot write the backup file " + file + ": " + e, e);
        }
        return new BackupManifest.DatabaseEntry(db, BackupFormat.fileOf(db), documents, bytes,
                HexFormat.of().formatHex(sha.digest()), snapshot.indexes(db));
    }

    private void writeManifest(Path folder, BackupManifest manifest) {
        Path temporary = folder.resolve(BackupFormat.MANIFEST + ".tmp");
        Path target = folder.resolve(BackupFormat.MANIFEST);
        try {
            try (FileChannel channel = open(temporary); OutputStream out = Channels.newOutputStream(channel)) {
                out.write(json.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest.toJson(json)));
                out.write('\n');
                out.flush();
                channel.force(true);
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
            forceFolder(folder);
        } catch (IOException e) {
            throw new PydbException(ErrorCode.UNAVAILABLE, "cannot write the backup manifest " + target + ": " + e, e);
        }
    }

    private static FileChannel open(Path file) throws IOException {
        OwnerOnlyFiles.createFile(file);
        return FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    static void forceFolder(Path folder) {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException ignored) {
            // not every file system lets a folder be fsynced; the files themselves are
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
