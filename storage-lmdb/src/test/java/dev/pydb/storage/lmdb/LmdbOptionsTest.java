package dev.pydb.storage.lmdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.ConfigException;
import dev.pydb.api.storage.StorageOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Strict {@code storage.options} of the lmdb provider. */
final class LmdbOptionsTest {
    @TempDir
    Path tempDir;

    @Test
    void defaults() {
        LmdbOptions options = LmdbOptions.from(StorageOptions.empty());
        assertThat(options.mapSizeBytes()).isEqualTo(1L << 30);
        assertThat(options.maxReaders()).isEqualTo(1024);
        assertThat(options.writeMap()).isFalse();
    }

    @Test
    void writeMapIsABoolean() {
        assertThat(LmdbOptions.from(of(LmdbTestStorages.options().put("write_map", true))).writeMap()).isTrue();
        assertInvalid(LmdbTestStorages.options().put("write_map", "yes"), "storage.options.write_map");
    }

    @Test
    void mapSizeIsRoundedUpToWholePages() {
        assertThat(LmdbOptions.from(of(LmdbTestStorages.options().put("map_size_bytes", 100_000))).mapSizeBytes())
                .isEqualTo(102_400);
        assertThat(LmdbOptions.from(of(LmdbTestStorages.options().put("map_size_bytes", 65_536).put("max_readers", 8))))
                .isEqualTo(new LmdbOptions(65_536, 8, false));
    }

    @Test
    void anUnknownOptionNamesItselfAndTheKnownOnes() {
        assertThatThrownBy(() -> LmdbOptions.from(of(LmdbTestStorages.options().put("map_size", 1 << 20))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("storage.options.map_size")
                .hasMessageContaining("map_size_bytes, max_readers");
    }

    @Test
    void invalidValuesNameTheKey() {
        assertInvalid(LmdbTestStorages.options().put("map_size_bytes", 1000), "storage.options.map_size_bytes");
        assertInvalid(LmdbTestStorages.options().put("map_size_bytes", -1), "storage.options.map_size_bytes");
        assertInvalid(LmdbTestStorages.options().put("map_size_bytes", "1G"), "storage.options.map_size_bytes");
        assertInvalid(LmdbTestStorages.options().put("map_size_bytes", 1.5), "storage.options.map_size_bytes");
        assertInvalid(LmdbTestStorages.options().put("map_size_bytes", 1L << 50), "storage.options.map_size_bytes");
        assertInvalid(LmdbTestStorages.options().put("max_readers", 0), "storage.options.max_readers");
        assertInvalid(LmdbTestStorages.options().put("max_readers", 1 << 20), "storage.options.max_readers");
    }

    @Test
    void invalidOptionsFailBeforeAnythingIsCreated() {
        Path path = tempDir.resolve("never");
        assertThatThrownBy(() -> LmdbTestStorages.open(path, LmdbTestStorages.options().put("nope", true)))
                .isInstanceOf(ConfigException.class);
        assertThat(Files.exists(path)).isFalse();
    }

    @Test
    void writeMapIsRefusedWhenTheFileSystemCannotHoldTheWholeMap() throws Exception {
        Path path = tempDir.resolve("data");
        long usable = Files.getFileStore(tempDir).getUsableSpace();
        long mapSize = LmdbOptions.MAX_MAP_SIZE_BYTES;
        org.junit.jupiter.api.Assumptions.assumeTrue(usable < mapSize, "this file system has room for a 16 TiB map");

        assertThatThrownBy(() -> LmdbTestStorages.open(path, LmdbTestStorages.options().put("write_map", true)
                .put("map_size_bytes", mapSize)))
                .isInstanceOf(dev.pydb.api.PydbException.class)
                .hasMessageStartingWith("write_map needs disk space for the whole map, but the file system of " + path.toRealPath())
                .hasMessageContaining("the map needs " + mapSize + " more (map_size_bytes=" + mapSize + ", 0 in use)")
                .hasMessageEndingWith("a full disk would kill the server with SIGBUS; free space, lower"
                        + " storage.options.map_size_bytes or turn write_map off");
        assertThat(path.resolve("data.mdb")).doesNotExist();
        LmdbTestStorages.open(path, LmdbTestStorages.options().put("map_size_bytes", mapSize)).close();
    }

    private static void assertInvalid(ObjectNode options, String key) {
        assertThatThrownBy(() -> LmdbOptions.from(of(options)))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo(key));
    }

    private static StorageOptions of(ObjectNode options) {
        return StorageOptions.of(options);
    }
}
