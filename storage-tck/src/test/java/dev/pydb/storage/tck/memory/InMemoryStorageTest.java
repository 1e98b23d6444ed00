package dev.pydb.storage.tck.memory;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.pydb.api.ConfigException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageClosedException;
import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageOptions;
import dev.pydb.api.storage.StorageProvider;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.storage.tck.KitStorageContext;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** What the compliance suite does not cover: the memory storage's own promises. */
final class InMemoryStorageTest {
    private static final Path PATH = Path.of("/nowhere/data");

    private final InMemoryStorage storage = InMemoryStorage.withDatabases("shop", "archive");

    @Test
    void withDatabasesCreatesThemEmpty() {
        assertThat(storage.listDatabases()).containsExactly("archive", "shop");
        assertThat(storage.count("shop")).isZero();
    }

    @Test
    void bodiesAreCopiedOnTheWayInAndOut() {
        byte[] body = "{\"n\":1}".getBytes(UTF_8);
        storage.put("shop", "k", body, Storage.ANY_REVISION);
        body[5] = '9';
        Document read = storage.get("shop", "k").orElseThrow();
        read.body()[5] = '8';
        storage.scan("shop", null, 1).get(0).body()[5] = '7';

        assertThat(new String(storage.get("shop", "k").orElseThrow().body(), UTF_8)).isEqualTo("{\"n\":1}");
    }

    @Test
    void anUpdateFunctionCannotChangeTheStorageItRunsIn() {
        storage.put("shop", "k", "{}".getBytes(UTF_8), Storage.ANY_REVISION);

        assertThatThrownBy(() -> storage.write("shop", List.of(new WriteOp.Update("k", body -> {
            storage.put("shop", "other", body, Storage.ANY_REVISION);
            return body;
        }, Storage.ANY_REVISION)))).isInstanceOf(IllegalStateException.class)
                .hasMessage("an update function must not change the storage it runs in");
        assertThat(storage.get("shop", "other")).isEmpty();
        assertThat(storage.get("shop", "k").orElseThrow().rev()).isEqualTo(1);
    }

    @Test
    void closeForgetsEverythingAndNamesTheStorage() {
        InMemoryStorage named = new InMemoryStorage("alpha");
        assertThat(named.isClosed()).isFalse();
        named.close();

        assertThat(named.isClosed()).isTrue();
        assertThatThrownBy(named::listDatabases).isInstanceOf(StorageClosedException.class)
                .hasMessage("storage 'alpha' is closed");
    }

    @Test
    void theProviderOpensANewEmptyStorageEachTimeAndTakesNoOptions() {
        InMemoryStorageProvider provider = new InMemoryStorageProvider();
        InMemoryStorage first = provider.open(new StorageConfig(PATH, StorageOptions.empty()), KitStorageContext.at(PATH));
        first.createDatabase("shop");
        InMemoryStorage second = provider.open(new StorageConfig(PATH, StorageOptions.empty()), KitStorageContext.at(PATH));

        assertThat(provider.name()).isEqualTo("memory");
        assertThat(new InMemoryStorageProvider("other").name()).isEqualTo("other");
        assertThat(second).isNotSameAs(first);
        assertThat(second.listDatabases()).isEmpty();
        StorageConfig withOption = new StorageConfig(PATH, StorageOptions.of(JsonNodeFactory.instance.objectNode().put("size", 1)));
        assertThatThrownBy(() -> provider.open(withOption, KitStorageContext.at(PATH)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("storage.options.size");
    }

    @Test
    void theProviderIsNotAService() {
        assertThat(ServiceLoader.load(StorageProvider.class).stream().map(ServiceLoader.Provider::type))
                .doesNotContain(InMemoryStorageProvider.class);
    }
}
