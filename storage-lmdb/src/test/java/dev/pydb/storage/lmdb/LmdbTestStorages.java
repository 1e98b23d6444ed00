package dev.pydb.storage.lmdb;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageOptions;
import dev.pydb.storage.tck.KitStorageContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Opens {@code lmdb} storages for this module's tests. */
final class LmdbTestStorages {
    private LmdbTestStorages() {}

    static LmdbStorage open(Path path, ObjectNode options) {
        return (LmdbStorage) new LmdbStorageProvider().open(new StorageConfig(path.toAbsolutePath(), StorageOptions.of(options)),
                KitStorageContext.at(path.toAbsolutePath().getParent()));
    }

    static LmdbStorage open(Path path) {
        return open(path, options());
    }

    static ObjectNode options() {
        return JsonNodeFactory.instance.objectNode();
    }

    /** The options the compliance kit runs with: a small map and enough reader slots for its threads. */
    static ObjectNode complianceOptions() {
        return options().put("map_size_bytes", 256L << 20).put("max_readers", 256);
    }

    static byte[] body(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /** A JSON object body of about {@code bytes} bytes. */
    static byte[] bodyOfSize(int bytes) {
        return body("{\"pad\":\"" + "x".repeat(Math.max(0, bytes - 10)) + "\"}");
    }
}
