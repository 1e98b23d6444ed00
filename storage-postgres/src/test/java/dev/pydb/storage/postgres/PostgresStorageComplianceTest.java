package dev.pydb.storage.postgres;

import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageOptions;
import dev.pydb.api.storage.StorageProvider;
import dev.pydb.storage.postgres.cluster.SharedPostgres;
import dev.pydb.storage.tck.StorageComplianceTest;
import java.nio.file.Path;

/**
 * The compliance kit against a real PostgreSQL ({@link SharedPostgres}). A storage "at a path" is
 * a schema: each test gets its own, and a path other than the kit's data and crash folders (say
 * {@code fresh}) gets another, so a fresh storage is really empty. "Corrupt files" are a damaged
 * schema: its version row says a version this code does not know, and opening it fails with
 * {@code UNAVAILABLE} (the kit's default check).
 */
final class PostgresStorageComplianceTest extends StorageComplianceTest {
    private String schema;

    @Override
    protected StorageProvider provider() {
        return new PostgresStorageProvider();
    }

    @Override
    protected StorageOptions options() {
        return StorageOptions.of(SharedPostgres.options(schemaOf()));
    }

    private String schemaOf() {
        if (schema == null) {
            schema = SharedPostgres.newSchema("tck");
        }
        return schema;
    }

    @Override
    protected Storage openStorage(Path path) {
        String name = path.getFileName().toString();
        StorageOptions options = name.equals("data") || name.equals("crash")
                ? options()
                : StorageOptions.of(SharedPostgres.options(schemaOf() + "_" + name.replaceAll("[^a-z0-9_]", "_")));
        return provider().open(new StorageConfig(path.toAbsolutePath(), options), context(path.toAbsolutePath()));
    }

    @Override
    protected void corruptStorageFiles(Path path) {
        SharedPostgres.server().psql("pydb", "UPDATE " + schema + ".schema_version SET version = 99");
    }
}
