package dev.pydb.storage.toolkit.file;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Owner-only permissions for a storage's files, as PostgreSQL keeps its data folder: folders
 * {@code 0700}, files {@code 0600}, whatever the process's umask. A file or folder is created
 * with the mode and the mode is then set again explicitly, since the umask may remove bits from
 * the mode given at creation. On a file system without POSIX permissions (Windows) the
 * permissions are left to the operating system. Stateless and thread-safe.
 */
public final class FilePermissions {
    /** {@code rw-------}. */
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    /** {@code rwx------}. */
    public static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");

    private FilePermissions() {}

    /**
     * Creates {@code directory} and every missing parent with mode {@code 0700} (folders that
     * exist already are left as they are); returns {@code directory}.
     */
    public static Path createDirectories(Path directory) throws IOException {
        requireNonNull(directory, "directory is null");
        Path absolute = directory.toAbsolutePath();
        List<Path> missing = new ArrayList<>();
        for (Path p = absolute; p != null && !Files.isDirectory(p); p = p.getParent()) {
            missing.add(p);
        }
        for (int i = missing.size() - 1; i >= 0; i--) {
            createDirectory(missing.get(i));
        }
        return directory;
    }

    /** Creates one folder with mode {@code 0700}; {@link FileAlreadyExistsException} if it exists. */
    public static Path createDirectory(Path directory) throws IOException {
        requireNonNull(directory, "directory is null");
        if (isPosix(directory.toAbsolutePath().getParent())) {
            Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(DIRECTORY));
            Files.setPosixFilePermissions(directory, DIRECTORY);
        } else {
            Files.createDirectory(directory);
        }
        return directory;
    }

    /**
     * Opens {@code file} with {@code options}; when the options create it, it is created with
     * mode {@code 0600}. A file that existed keeps its mode (use {@link #restrict} to tighten it).
     */
    public static FileChannel open(Path file, Set<? extends OpenOption> options) throws IOException {
        requireNonNull(file, "file is null");
        requireNonNull(options, "options is null");
        boolean existed = Files.exists(file);
        FileChannel channel = isPosix(file.toAbsolutePath().getParent())
                ? FileChannel.open(file, options, fileAttribute())
                : FileChannel.open(file, options);
        if (!existed) {
            try {
                restrict(file);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }
        return channel;
    }

    /** Sets {@code path} to {@code 0600} (a file) or {@code 0700} (a folder); nothing without POSIX permissions. */
    public static void restrict(Path path) throws IOException {
        requireNonNull(path, "path is null");
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        if (view != null) {
            view.setPermissions(Files.isDirectory(path) ? DIRECTORY : FILE);
        }
    }

    private static FileAttribute<Set<PosixFilePermission>> fileAttribute() {
        return PosixFilePermissions.asFileAttribute(FILE);
    }

    private static boolean isPosix(Path directory) {
        Path probe = directory == null ? Path.of("").toAbsolutePath() : directory;
        return probe.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
