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

    /**
     * Not with {@code write_map}: the data-safety kit's full-disk test opens the store on a 2 MiB
     * tmpfs, and a {@code write_map} store is refused at start without room for its whole map (a
     * full disk would kill the JVM with SIGBUS, see docs/STORAGE-LMDB.md), and the kit cannot leave
     * out one test. The rest of it (checksums, group commit, snapshots, the importer) runs the
     * same code with or without the map and passes in {@link LmdbStorageComplianceTest}.
     */
    @Override
    protected boolean dataSafetySupported() {
        return false;
    }
}
