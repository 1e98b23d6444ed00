package dev.pydb.storage.lmdb;

import dev.pydb.api.storage.StorageOptions;
import dev.pydb.api.storage.StorageProvider;
import dev.pydb.storage.tck.StorageComplianceTest;

/** The shared storage compliance kit, run against the {@code lmdb} backend with {@code write_map} on. */
final class LmdbWriteMapComplianceTest extends StorageComplianceTest {
    @Override
    protected StorageProvider provider() {
        return new LmdbStorageProvider();
    }

    @Override
    protected StorageOptions options() {
        return StorageOptions.of(LmdbTestStorages.complianceOptions().put("write_map", true));
    }
}
