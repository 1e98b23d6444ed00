package dev.pydb.storage.tck.memory;

import dev.pydb.api.storage.StorageProvider;
import dev.pydb.storage.tck.StorageComplianceTest;

/** The kit's reference storage passes the kit: everything but persistence (see {@link #persistent()}). */
final class InMemoryStorageComplianceTest extends StorageComplianceTest {
    @Override
    protected StorageProvider provider() {
        return new InMemoryStorageProvider();
    }

    @Override
    protected boolean persistent() {
        return false;
    }
}
