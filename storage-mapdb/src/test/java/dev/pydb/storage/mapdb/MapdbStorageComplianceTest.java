package dev.pydb.storage.mapdb;

import dev.pydb.api.storage.StorageProvider;
import dev.pydb.storage.tck.StorageComplianceTest;

/** The shared storage compliance kit, run against the {@code mapdb} backend. */
class MapdbStorageComplianceTest extends StorageComplianceTest {
    @Override
    protected StorageProvider provider() {
        return new MapdbStorageProvider();
    }
}
