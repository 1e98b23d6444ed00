package dev.pydb.storage.json;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.pydb.api.storage.StorageOptions;

/** The json backend against the compliance kit with a tiny {@code compact_after_bytes}, so checkpoints run all the time (also while the crash test kills it). */
final class JsonStorageCompactingComplianceTest extends JsonStorageComplianceTest {
    @Override
    protected StorageOptions options() {
        return StorageOptions.of(JsonNodeFactory.instance.objectNode().put("compact_after_bytes", 16_384));
    }
}
