package dev.pydb.storage.mapdb;

import static dev.pydb.storage.mapdb.Stores.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pydb.api.ConfigException;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageProvider;
import dev.pydb.api.storage.WriteOp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

class MapdbStorageProviderTest {
    @TempDir
    Path dir;

    @Test
    void isFoundByServiceLoaderUnderItsName() {
        assertThat(ServiceLoader.load(StorageProvider.class).stream().map(ServiceLoader.Provider::get))
                .anySatisfy(provider -> {
                    assertThat(provider).isInstanceOf(MapdbStorageProvider.class);
                    assertThat(provider.name()).isEqualTo("mapdb");
                });
    }

    @Test
    void createsTheDirectoryAndOneStoreFile() {
        Path path = dir.resolve("nested/data");

        Stores.open(path).close();

        assertThat(path.resolve(MapdbStorageProvider.FILE_NAME)).isRegularFile();
    }

    @Test
    void unknownOptionIsRefusedByName() {
        assertThatThrownBy(() -> Stores.open(dir, o -> o.put("map_size", 10)))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.key()).isEqualTo("storage.options.map_size");
                    assertThat(e.getMessage()).contains("commit_max_batch", "mmap");
                });
    }

    @Test
    void badOptionValuesAreRefusedByName() {
        assertThatThrownBy(() -> Stores.open(dir, o -> o.put("commit_max_batch", 0)))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("storage.options.commit_max_batch"));
        assertThatThrownBy(() -> Stores.open(dir, o -> o.put("commit_max_batch", "many")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("storage.options.commit_max_batch"));
        assertThatThrownBy(() -> Stores.open(dir, o -> o.put("mmap", "yes")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("storage.options.mmap"));
    }

    @Test
    void memoryMappedStoreWritesAndReopens() {
        try (Storage storage = Stores.open(dir, o -> o.put("mmap", true).put("commit_max_batch", 8))) {
            storage.createDatabase("db");
            storage.put("db", "k", json("{\"m\":true}"), Storage.ANY_REVISION);
        }
        try (Storage storage = Stores.open(dir, o -> o.put("mmap", true))) {
            assertThat(storage.get("db", "k")).contains(new Document("k", 1, json("{\"m\":true}")));
        }
    }

    @Test
    void memoryMappedStoreTakesManyMegabytesBetweenCheckpoints() {
        String body = "{\"pad\":\"" + "x".repeat(2000) + "\"}";
        try (Storage storage = Stores.open(dir, o -> o.put("mmap", true))) {
            storage.createDatabase("db");
            for (int batch = 0; batch < 10; batch++) {
                List<WriteOp> ops = new ArrayList<>();
                for (int i = 0; i < 500; i++) {
                    ops.add(WriteOp.Put.of("k" + batch + "-" + i, json(body)));
                }
                storage.write("db", ops);
            }
            assertThat(storage.count("db")).isEqualTo(5000);
        }
        try (Storage storage = Stores.open(dir, o -> o.put("mmap", true))) {
            assertThat(storage.count("db")).isEqualTo(5000);
            assertThat(storage.get("db", "k9-499")).isPresent();
        }
    }

    @Test
    void secondOpenOfTheSameStoreFailsAsUnavailable() {
        try (Storage first = Stores.open(dir)) {
            assertThatThrownBy(() -> Stores.open(dir))
                    .isInstanceOfSatisfying(PydbException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                        assertThat(e.getMessage()).contains(dir.resolve(MapdbStorageProvider.FILE_NAME).toString());
                    });
            assertThat(first.listDatabases()).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"header", "body"})
    void damagedStoreFailsTheOpenWithAClearError(String part) throws IOException {
        try (Storage storage = Stores.open(dir)) {
            storage.createDatabase("db");
            for (int i = 0; i < 100; i++) {
                storage.put("db", "k" + i, json("{}"), Storage.ANY_REVISION);
            }
        }
        Path file = dir.resolve(MapdbStorageProvider.FILE_NAME);
        byte[] content = Files.readAllBytes(file);
        int from = part.equals("header") ? 0 : content.length / 2;
        int to = part.equals("header") ? 64 : content.length;
        for (int i = from; i < to; i++) {
            content[i] ^= 0x55;
        }
        Files.write(file, content);

        assertThatThrownBy(() -> Stores.open(dir))
                .isInstanceOfSatisfying(PydbException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                    assertThat(e.getMessage()).startsWith(file.toString())
                            .contains("(not closed cleanly and could not be recovered)")
                            .doesNotContain("checksumHeaderBypass");
                });
    }
}
