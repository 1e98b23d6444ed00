package dev.pydb.storage.mapdb;

import java.io.IOException;
import java.nio.file.Path;
import dev.pydb.api.storage.StorageProvider;
import dev.pydb.storage.tck.StorageComplianceTest;

/** The shared storage compliance kit, run against the {@code mapdb} backend. */
class MapdbStorageComplianceTest extends StorageComplianceTest {
    @Override
    protected StorageProvider provider() {
        return new MapdbStorageProvider();
    }

    @Override
    protected boolean dataSafetySupported() {
        return true;
    }

    @Override
    protected void flipOneBitOfStoredDocument(Path storagePath, String db, String key) throws IOException {
        StoredDocuments.flipOneBit(storagePath, db, key);
    }
}
