package dev.pydb.storage.lmdb;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Storage folders 0700 and storage files 0600 whatever the process's umask, as PostgreSQL keeps
 * its data directory: other users of the machine can neither read the documents nor list the
 * files. The permissions are set explicitly after creating, since the umask only ever removes
 * bits. On a file system without POSIX permissions (Windows) the calls change nothing.
 *
 * <p>The storage toolkit is getting the shared helper for this ({@code FilePermissions}, with the
 * write-ahead log); this class gives way to it once that is on main.
 */
final class OwnerOnlyFiles {
    /** {@code rwx------} (0700). */
    static final Set<PosixFilePermission> FOLDER = PosixFilePermissions.fromString("rwx------");
    /** {@code rw-------} (0600). */
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private OwnerOnlyFiles() {}

    /**
     * Creates {@code folder} if it is missing (missing parents too, with the usual permissions),
     * makes it 0700 and returns its real path. An existing folder is made 0700 as well.
     */
    static Path createFolder(Path folder) throws IOException {
        requireNonNull(folder, "folder is null");
        Path real = Files.createDirectories(folder).toRealPath();
        restrict(real);
        return real;
    }

    /** Makes {@code path} 0700 if it is a folder, 0600 if it is a file; does nothing if it does not exist. */
    static void restrict(Path path) throws IOException {
        requireNonNull(path, "path is null");
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view == null || !Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Set<PosixFilePermission> wanted = Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) ? FOLDER : FILE;
        if (!view.readAttributes().permissions().equals(wanted)) {
            view.setPermissions(wanted);
        }
    }
}
