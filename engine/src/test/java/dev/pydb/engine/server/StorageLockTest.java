package dev.pydb.engine.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pydb.engine.StartupException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    void a_path_that_cannot_be_a_folder_fails_cleanly() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertThatThrownBy(() -> StorageLock.acquire(file))
                .isInstanceOf(StartupException.class)
                .hasMessageStartingWith("cannot lock the storage folder " + file);
    }
}
