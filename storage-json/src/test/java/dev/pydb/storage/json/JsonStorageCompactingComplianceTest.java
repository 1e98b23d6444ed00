package dev.pydb.storage.json;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.pydb.api.storage.StorageOptions;
import dev.pydb.api.storage.StorageProvider;
import dev.pydb.storage.tck.StorageComplianceTest;

/** The json backend against the compliance kit with a tiny {@code compact_after_bytes}, so compaction runs all the time (also while the crash test kills it). */
final class JsonStorageCompactingComplianceTest extends StorageComplianceTest {
    @Override
    protected StorageProvider provider() {
        return new JsonStorageProvider();
    }

    @Override
    protected StorageOptions options() {
        return StorageOptions.of(JsonNodeFactory.instance.objectNode().put("compact_after_bytes", 16_384));
    }
}
