package dev.pydb.storage.json;

import dev.pydb.api.storage.StorageProvider;
import dev.pydb.storage.tck.StorageComplianceTest;
import java.io.IOException;
import java.nio.file.Path;

/** The json backend against the compliance kit, with the default options (the data-safety tests included). */
class JsonStorageComplianceTest extends StorageComplianceTest {
    @Override
    protected StorageProvider provider() {
        return new JsonStorageProvider();
    }

    @Override
    protected boolean dataSafetySupported() {
        return true;
    }

    @Override
    protected void flipOneBitOfStoredDocument(Path storagePath, String db, String key) throws IOException {
        JsonTesting.flipOneBitOfDocument(storagePath, db, key);
    }
}
