package dev.pydb.storage.postgres;

import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageOptions;
import dev.pydb.storage.postgres.cluster.SharedPostgres;
import dev.pydb.storage.tck.KitStorageContext;
import java.nio.file.Path;

/** Opens postgres storages on the shared test server, each in its own schema unless told. */
final class PostgresTestStorages {
    private PostgresTestStorages() {}

    static Storage open(Path folder, String schema) {
        return new PostgresStorageProvider().open(
                new StorageConfig(folder.toAbsolutePath(), StorageOptions.of(SharedPostgres.options(schema))),
                KitStorageContext.at(folder.toAbsolutePath().getParent()));
    }

    static Storage openNew(Path folder, String prefix) {
        return open(folder, SharedPostgres.newSchema(prefix));
    }
}
