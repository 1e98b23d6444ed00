package dev.pydb.examples.incr;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import dev.pydb.engine.plugin.ContextClassLoaderActionHandler;
import dev.pydb.engine.plugin.LoadedPlugin;
import dev.pydb.engine.plugin.PluginLoader;
import dev.pydb.storage.tck.memory.InMemoryStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Installs the built jar in a plugins folder and loads it with the server's {@link PluginLoader}. */
class IncrPluginIT {
    @TempDir
    Path pluginsDir;

    @Test
    void theBuiltJarIsAPluginThatServesIncr() throws Exception {
        Path jar = Path.of(System.getProperty("pydb.plugin.jar"));
        Files.copy(jar, pluginsDir.resolve(jar.getFileName()));

        List<LoadedPlugin> loaded = new PluginLoader().load(pluginsDir);

        assertThat(loaded).first().satisfies(classPath -> assertThat(classPath.actionHandlers())
                .extracting(ActionHandler::action).doesNotContain("INCR"));
        List<LoadedPlugin> plugins = loaded.stream().filter(plugin -> !plugin.isClassPath()).toList();
        assertThat(plugins).singleElement().satisfies(plugin -> {
            assertThat(plugin.storageProviders()).isEmpty();
            assertThat(plugin.actionHandlers()).singleElement().satisfies(handler -> {
                assertThat(handler.action()).isEqualTo("INCR");
                assertThat(handler.permission()).isEqualTo(Permission.WRITE);
                ActionHandler own = ((ContextClassLoaderActionHandler) handler).delegate();
                assertThat(own.getClass().getName()).isEqualTo("dev.pydb.examples.incr.IncrHandler");
                assertThat(own.getClass().getClassLoader()).isSameAs(plugin.classLoader());
            });
        });

        ActionHandler incr = plugins.getFirst().actionHandlers().getFirst();
        InMemoryStorage storage = InMemoryStorage.withDatabases("shop");
        ObjectNode request = new ObjectMapper().createObjectNode()
                .put("action", "INCR").put("db", "shop").put("key", "c").put("field", "n").put("by", 3);
        incr.handle(new FakeRequestContext(storage, "shop"), request);
        JsonNode second = incr.handle(new FakeRequestContext(storage, "shop"), request);

        assertThat(second.toString()).isEqualTo("{\"key\":\"c\",\"rev\":2,\"value\":6}");
    }
}
