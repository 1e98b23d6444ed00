package dev.pydb.storage.lmdb;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Tests on the store {@link DataFiles#writeStore} writes, closed, at {@link #path} (its data file: {@link #file}). */
abstract class WithWrittenStore {
    @TempDir
    Path tempDir;

    Path path;
    Path file;

    @BeforeEach
    void writeStore() {
        path = tempDir.resolve("data");
        DataFiles.writeStore(path);
        file = DataFiles.dataFile(path);
    }
}
