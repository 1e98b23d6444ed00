package dev.pydb.engine.files;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Folders and files the engine creates for itself (the storage folder and its lock file, the log
 * folder and log files) are the owner's only, as PostgreSQL's: folders 0700, files 0600, set
 * explicitly after creation so the process's umask cannot widen them. Existing folders and files
 * are left as they are. On a file system without POSIX permissions nothing is changed.
 */
public final class OwnerOnlyFiles {
    public static final Set<PosixFilePermission> FOLDER = PosixFilePermissions.fromString("rwx------");
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private OwnerOnlyFiles() {}

    /** Creates {@code folder} and its missing parents, each created one 0700. */
    public static Path createFolders(Path folder) throws IOException {
        requireNonNull(folder, "folder is null");
        Path absolute = folder.toAbsolutePath().normalize();
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = absolute; p != null && !Files.exists(p); p = p.getParent()) {
            missing.push(p);
        }
        for (Path p : missing) {
            try {
                Files.createDirectory(p);
                restrict(p, FOLDER);
            } catch (FileAlreadyExistsException raced) {
                // created meanwhile by someone else: theirs, left as it is
            }
        }
        if (!Files.isDirectory(absolute)) {
            throw new IOException(absolute + " exists and is not a folder");
        }
        return folder;
    }

    /** Creates {@code file} 0600 (and its missing parent folders 0700) unless it exists. */
    public static Path createFile(Path file) throws IOException {
        requireNonNull(file, "file is null");
        Path parent = file.toAbsolutePath().normalize().getParent();
        if (parent != null) {
            createFolders(parent);
        }
        try {
            Files.createFile(file);
            restrict(file, FILE);
        } catch (FileAlreadyExistsException existing) {
            // an existing file keeps its mode
        }
        return file;
    }

    /** Sets {@code file}'s mode to 0600 (a file) or 0700 (a folder). */
    public static void restrict(Path path) throws IOException {
        restrict(path, Files.isDirectory(path) ? FOLDER : FILE);
    }

    /**
     * The mode of {@code path}, e.g. {@code rwxr-xr-x}, if group or others may use it; empty if it
     * is the owner's only (or the file system has no POSIX permissions).
     */
    public static Optional<String> looseMode(Path path) throws IOException {
        if (!POSIX) {
            return Optional.empty();
        }
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path);
        for (PosixFilePermission permission : permissions) {
            if (GROUP_OR_OTHERS.contains(permission)) {
                return Optional.of(PosixFilePermissions.toString(permissions));
            }
        }
        return Optional.empty();
    }

    private static void restrict(Path path, Set<PosixFilePermission> permissions) throws IOException {
        if (POSIX) {
            Files.setPosixFilePermissions(path, permissions);
        }
    }
}
