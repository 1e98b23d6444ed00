package dev.pydb.storage.lmdb;

import dev.pydb.api.storage.StorageOptions;
import dev.pydb.api.storage.StorageProvider;
import dev.pydb.storage.tck.StorageComplianceTest;
import java.io.IOException;
import java.nio.file.Path;

/** The shared storage compliance kit, run against the {@code lmdb} backend. */
final class LmdbStorageComplianceTest extends StorageComplianceTest {
    @Override
    protected StorageProvider provider() {
        return new LmdbStorageProvider();
    }

    @Override
    protected StorageOptions options() {
        return StorageOptions.of(LmdbTestStorages.complianceOptions());
    }

    @Override
    protected boolean dataSafetySupported() {
        return true;
    }

    /** Flips a bit of the body in the live copy of the document's value, found by walking {@code data.mdb}'s trees. */
    @Override
    protected void flipOneBitOfStoredDocument(Path storagePath, String db, String key) throws IOException {
        DataFiles.flipOneBitOfBody(storagePath, db, key);
    }
}
