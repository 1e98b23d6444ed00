package dev.pydb.storage.lmdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class OwnerOnlyFilesTest {
    @TempDir
    Path tempDir;

    @Test
    void createsTheFolderOwnerOnlyAndTightensAnExistingOne() throws Exception {
        Path folder = OwnerOnlyFiles.createFolder(tempDir.resolve("a/b"));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder))).isEqualTo("rwx------");
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThat(OwnerOnlyFiles.createFolder(folder)).isEqualTo(folder.toRealPath());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder))).isEqualTo("rwx------");
    }

    @Test
    void makesFilesOwnerOnlyAndIgnoresMissingOnes() throws Exception {
        Path file = Files.writeString(tempDir.resolve("data"), "x");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));

        OwnerOnlyFiles.restrict(file);
        OwnerOnlyFiles.restrict(tempDir.resolve("missing"));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(tempDir.resolve("missing")).doesNotExist();
    }
}
