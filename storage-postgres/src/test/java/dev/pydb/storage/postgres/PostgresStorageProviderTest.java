package dev.pydb.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.ConfigException;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageOptions;
import dev.pydb.storage.postgres.cluster.LocalPostgres;
import dev.pydb.storage.postgres.cluster.SharedPostgres;
import dev.pydb.storage.tck.KitStorageContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Options are validated strictly; connection problems and foreign schemas stop the start clearly. */
final class PostgresStorageProviderTest {
    @TempDir
    Path tempDir;

    @Test
    void unknownMissingAndBadOptionsNameTheKey() {
        assertThat(configError(SharedPostgres.options("x").put("pool", 3)).key()).isEqualTo("storage.options.pool");
        ObjectNode noUrl = SharedPostgres.options("x");
        noUrl.remove("url");
        assertThat(configError(noUrl).key()).isEqualTo("storage.options.url");
        assertThat(configError(SharedPostgres.options("x").put("url", "postgres://h/db")).key()).isEqualTo("storage.options.url");
        assertThat(configError(SharedPostgres.options("Bad-Schema")).key()).isEqualTo("storage.options.schema");
        assertThat(configError(SharedPostgres.options("x").put("pool_size", 0)).key()).isEqualTo("storage.options.pool_size");
        assertThat(configError(SharedPostgres.options("x").put("password_file", "pw")).key())
                .isEqualTo("storage.options.password_file");
    }

    @Test
    void aWrongPasswordIsUnavailableNamingUrlAndUserButNotThePassword() {
        ObjectNode options = SharedPostgres.options(SharedPostgres.newSchema("provider")).put("password", "wrong-secret")
                .put("connect_timeout_seconds", 2);
        PydbException e = catchThrowableOfType(PydbException.class, () -> open(options).close());
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(e.getMessage()).contains(LocalPostgres.USER).contains("jdbc:postgresql://").doesNotContain("wrong-secret");
    }

    @Test
    void aPasswordFileWorks() throws IOException {
        Files.writeString(tempDir.resolve("pw"), LocalPostgres.PASSWORD + "\n");
        ObjectNode options = SharedPostgres.options(SharedPostgres.newSchema("provider"));
        options.remove("password");
        options.put("password_file", "pw");
        try (Storage storage = open(options)) {
            storage.createDatabase("d");
            assertThat(storage.listDatabases()).containsExactly("d");
        }
    }

    @Test
    void aSchemaFromANewerPydbIsRefused() {
        String schema = SharedPostgres.newSchema("provider");
        open(SharedPostgres.options(schema)).close();
        SharedPostgres.server().psql("pydb", "INSERT INTO " + schema + ".schema_version (version, applied_by) VALUES (2, 'future')");
        PydbException e = catchThrowableOfType(PydbException.class, () -> open(SharedPostgres.options(schema)).close());
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(e.getMessage()).contains("version 2").contains("upgrade this node");
    }

    private ConfigException configError(ObjectNode options) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> open(options).close());
        assertThat(e).as("a ConfigException for %s", options).isNotNull();
        return e;
    }

    private Storage open(ObjectNode options) {
        return new PostgresStorageProvider().open(new StorageConfig(tempDir.resolve("node"), StorageOptions.of(options)),
                KitStorageContext.at(tempDir));
    }
}
