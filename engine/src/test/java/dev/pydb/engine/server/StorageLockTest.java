package dev.pydb.engine.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pydb.engine.StartupException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageLockTest {
    @TempDir
    Path dir;

    @Test
    void creates_the_folder_and_keeps_a_second_holder_out_until_released() throws Exception {
        Path storage = dir.resolve("data/py_db");
        StorageLock first = StorageLock.acquire(storage);
        assertThat(first.file()).isEqualTo(storage.resolve("pydb.lock"));
        assertThat(Files.readString(first.file()).strip()).isEqualTo(Long.toString(ProcessHandle.current().pid()));

        assertThatThrownBy(() -> StorageLock.acquire(storage))
                .isInstanceOf(StartupException.class)
                .hasMessage("another py_db server is using " + storage);

        first.close();
        first.close();
        try (StorageLock second = StorageLock.acquire(storage)) {
            assertThat(second.file()).exists();
        }
    }

    @Test
    void the_folders_it_creates_are_0700_and_the_lock_file_0600_whatever_the_umask() throws Exception {
        // The test JVM runs with the caller's umask (usually 022: folders 0755, files 0644 by default).
        Path storage = dir.resolve("data/py_db");
        try (StorageLock lock = StorageLock.acquire(storage)) {
            assertThat(mode(dir.resolve("data"))).isEqualTo("rwx------");
            assertThat(mode(storage)).isEqualTo("rwx------");
            assertThat(mode(lock.file())).isEqualTo("rw-------");
        }
    }

    @Test
    void an_existing_folder_keeps_its_mode() throws Exception {
        Path storage = Files.createDirectories(dir.resolve("mine"));
        Files.setPosixFilePermissions(storage, PosixFilePermissions.fromString("rwxr-x---"));
        try (StorageLock lock = StorageLock.acquire(storage)) {
            assertThat(mode(storage)).isEqualTo("rwxr-x---");
            assertThat(mode(lock.file())).isEqualTo("rw-------");
        }
    }

    private static String mode(Path path) throws java.io.IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    @Test
    void a_path_that_cannot_be_a_folder_fails_cleanly() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertThatThrownBy(() -> StorageLock.acquire(file))
                .isInstanceOf(StartupException.class)
                .hasMessageStartingWith("cannot lock the storage folder " + file);
    }
}
