package dev.pydb.storage.json;

import dev.pydb.api.storage.StorageProvider;
import dev.pydb.storage.tck.StorageComplianceTest;

/** The json backend against the compliance kit, with the default options. */
final class JsonStorageComplianceTest extends StorageComplianceTest {
    @Override
    protected StorageProvider provider() {
        return new JsonStorageProvider();
    }
}
