package dev.pydb.e2e;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.storage.postgres.cluster.SharedPostgres;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The contract and durability checks against the unpacked distribution with
 * {@code storage.provider = "postgres"}, on a real PostgreSQL started by the test (as the
 * {@code postgres} user; in CI a PostgreSQL that cannot start fails the suite). Each server data
 * path gets its own schema, so the restart and kill -9 checks see only their own data.
 */
class PostgresBackendIT extends BackendContract {
    private final Map<Path, String> schemas = new ConcurrentHashMap<>();

    @Override
    String provider() {
        return "postgres";
    }

    @Override
    ObjectNode storageOptions(Path dataPath) {
        String schema = schemas.computeIfAbsent(dataPath, path -> SharedPostgres.newSchema("e2e"));
        return SharedPostgres.options(schema).put("pool_size", 8);
    }
}
