package dev.pydb.storage.mapdb;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Opens MapDB storages in a test's temporary directory. */
final class Stores {
    private Stores() {}

    static MapdbStorage open(Path dir) {
        return open(dir, options -> {});
    }

    static MapdbStorage open(Path dir, Consumer<ObjectNode> options) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        options.accept(node);
        return (MapdbStorage) new MapdbStorageProvider().open(new StorageConfig(dir, StorageOptions.of(node)), new TestContext(dir));
    }

    static byte[] json(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }
}
