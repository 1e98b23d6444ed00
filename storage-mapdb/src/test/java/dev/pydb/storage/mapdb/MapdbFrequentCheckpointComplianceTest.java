package dev.pydb.storage.mapdb;

import java.io.IOException;
import java.nio.file.Path;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.pydb.api.storage.StorageOptions;
import dev.pydb.api.storage.StorageProvider;
import dev.pydb.storage.tck.StorageComplianceTest;

/**
 * The shared storage compliance kit against the {@code mapdb} backend checkpointing every 64
 * operations, so that the crash test also kills the process during and between checkpoints.
 */
class MapdbFrequentCheckpointComplianceTest extends StorageComplianceTest {
    @Override
    protected StorageProvider provider() {
        return new MapdbStorageProvider();
    }

    @Override
    protected StorageOptions options() {
        return StorageOptions.of(JsonNodeFactory.instance.objectNode().put("checkpoint_ops", 64));
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
