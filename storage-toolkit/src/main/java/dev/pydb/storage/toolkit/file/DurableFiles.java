package dev.pydb.storage.toolkit.file;

import static java.util.Objects.requireNonNull;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;

/**
 * File operations that survive a crash and a power loss once they return: directory fsync,
 * atomic replacement of a file (temporary file, fsync, rename, directory fsync), recursive
 * delete. New files get mode {@code 0600} ({@link FilePermissions}). Stateless and thread-safe.
 */
public final class DurableFiles {
    private DurableFiles() {}

    /** Writes a file's content to a stream; the stream is closed by the caller. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Makes the entries of {@code directory} (creations, renames, deletions) durable. */
    public static void syncDirectory(Path directory) throws IOException {
        requireNonNull(directory, "directory is null");
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /**
     * Replaces {@code target} durably with {@code content}: written to {@code temporary}
     * (replacing an old one), fsynced, renamed over {@code target}, and the folder fsynced. A
     * crash leaves either the old or the new file under the target's name (and perhaps the
     * temporary file, which the caller deletes at its next open). On failure the temporary file
     * is deleted (so a full disk gets its space back) and the target is untouched.
     */
    public static void replaceAtomically(Path target, Path temporary, Content content) throws IOException {
        requireNonNull(target, "target is null");
        requireNonNull(temporary, "temporary is null");
        requireNonNull(content, "content is null");
        try {
            try (FileChannel channel = FilePermissions.open(temporary, Set.of(StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING))) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
                content.writeTo(out);
                out.flush();
                channel.force(true);
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        syncDirectory(target.toAbsolutePath().getParent());
    }

    /** Renames {@code source} to {@code target} atomically (replacing a file) and syncs the target's folder. */
    public static void moveAtomically(Path source, Path target) throws IOException {
        Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(target.toAbsolutePath().getParent());
    }

    /** Deletes a file or a directory tree; nothing if it does not exist. */
    public static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path directory, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(directory);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
