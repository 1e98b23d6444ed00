package dev.pydb.engine.server;

import dev.pydb.engine.transport.Transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pydb.api.ConfigException;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import dev.pydb.api.storage.StorageProvider;
import dev.pydb.engine.StartupException;
import dev.pydb.engine.config.EnvConfig;
import dev.pydb.engine.config.EnvConfigBinder;
import dev.pydb.engine.config.ServerConfig;
import dev.pydb.engine.fakes.FakeAuthenticator;
import dev.pydb.engine.fakes.FakeTransport;
import dev.pydb.engine.fakes.OtherRecordingStorageProvider;
import dev.pydb.engine.fakes.OtherTestHandler;
import dev.pydb.engine.fakes.RecordingStorageProvider;
import dev.pydb.engine.fakes.TestHandler;
import dev.pydb.engine.plugin.ContextClassLoaderStorageProvider;
import dev.pydb.engine.plugin.LoadedPlugin;
import dev.pydb.engine.plugin.PluginLoader;
import dev.pydb.engine.plugin.PluginLoadException;
import dev.pydb.engine.plugin.PluginSource;
import dev.pydb.engine.stats.ServerInfo;
import dev.pydb.engine.stats.ServerStats;
import dev.pydb.engine.transport.RequestProcessor;
import dev.pydb.storage.tck.memory.InMemoryStorage;
import java.io.IOException;
import java.net.BindException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PydbServerTest {
    private static final String PROVIDER = "test-memory";

    @TempDir
    Path home;

    private final RecordingStorageProvider provider = new RecordingStorageProvider(PROVIDER);
    private final FakeAuthenticator authenticator = new FakeAuthenticator();
    private final List<FakeTransport> transports = new ArrayList<>();
    private final List<Path> pluginDirsAsked = new ArrayList<>();
    private final List<PydbServer> servers = new ArrayList<>();
    private List<StorageProvider> pluginProviders = List.of(provider);
    private List<ActionHandler> pluginHandlers = List.of(new TestHandler("TEST_WHOAMI", Permission.AUTHENTICATED,
            (context, request) -> TextNode.valueOf(context.principal().orElseThrow().username())));
    private RuntimeException transportFailure;

    @AfterEach
    void closeServers() {
        servers.forEach(PydbServer::close);
    }

    @Test
    void starts_with_the_configured_provider_and_serves_requests() {
        PydbServer server = start(config(""), Optional.empty());

        assertThat(server.port()).isEqualTo(FakeTransport.PORT);
        FakeTransport transport = transports.get(0);
        assertThat(transport.state()).isEqualTo("started");
        assertThat(pluginDirsAsked).containsExactly(home.resolve("plugins"));
        assertThat(provider.lastConfig().path()).isEqualTo(home.resolve("data/py_db"));
        assertThat(provider.lastContext().homeDirectory()).isEqualTo(home);
        assertThat(provider.lastContext().serverVersion()).isEqualTo(PydbVersion.current());
        assertThat(home.resolve("data/py_db/pydb.lock")).exists();

        authenticator.issue("t1", "ann", "read:*");
        assertThat(transport.send("{\"action\": \"test_whoami\", \"auth\": {\"token\": \"t1\"}, \"id\": 1}").get("result")
                .textValue()).isEqualTo("ann");
        assertThat(transport.stats().requestsPerAction()).containsEntry("TEST_WHOAMI", 1L);
    }

    @Test
    void server_info_lists_the_provider_and_plugins() {
        PydbServer server = start(config(""), Optional.empty());
        assertThat(server.info()).isEqualTo(new ServerInfo(PydbVersion.current(), PROVIDER, List.of(
                new ServerInfo.PluginInfo("test-plugin", home.resolve("plugins/test-plugin").toString(),
                        List.of(PROVIDER), List.of("TEST_WHOAMI")))));
    }

    @Test
    void the_storage_is_opened_with_the_providers_class_loader_as_context_class_loader() throws IOException {
        Thread thread = Thread.currentThread();
        ClassLoader original = thread.getContextClassLoader();
        try (URLClassLoader unrelated = new URLClassLoader(new URL[0], null)) {
            thread.setContextClassLoader(unrelated);
            start(config(""), Optional.empty());
            assertThat(provider.contextClassLoaderAtOpen()).isSameAs(RecordingStorageProvider.class.getClassLoader());
            assertThat(thread.getContextClassLoader()).isSameAs(unrelated);
        } finally {
            thread.setContextClassLoader(original);
        }
    }

    @Test
    void close_stops_the_transport_closes_the_storage_and_releases_the_lock() {
        PydbServer server = start(config(""), Optional.empty());
        InMemoryStorage storage = provider.lastOpened();

        server.close();
        server.close();

        assertThat(transports.get(0).state()).isEqualTo("closed");
        assertThat(storage.isClosed()).isTrue();
        PydbServer again = start(config(""), Optional.empty());
        assertThat(again.port()).isEqualTo(FakeTransport.PORT);
    }

    @Test
    void close_closes_every_action_once_after_the_transport_and_before_the_storage() {
        List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        pluginHandlers = List.of(new ActionHandler() {
            @Override
            public String action() {
                return "TEST_CLOSING";
            }

            @Override
            public Permission permission() {
                return Permission.NONE;
            }

            @Override
            public com.fasterxml.jackson.databind.JsonNode handle(dev.pydb.api.action.RequestContext context,
                    ObjectNode request) {
                return null;
            }

            @Override
            public void close() {
                events.add("action closed; transport " + transports.get(0).state() + "; storage closed: "
                        + provider.lastOpened().isClosed());
            }
        });
        PydbServer server = start(config(""), Optional.empty());

        server.close();
        server.close();

        assertThat(events).containsExactly("action closed; transport closed; storage closed: false");
    }

    @Test
    void a_second_server_on_the_same_storage_fails_fast() {
        start(config(""), Optional.empty());
        assertThatThrownBy(() -> start(config(""), Optional.empty()))
                .isInstanceOf(StartupException.class)
                .hasMessage("another py_db server is using " + home.resolve("data/py_db"));
        assertThat(transports).hasSize(1);
    }

    @Test
    void an_unknown_provider_fails_listing_the_available_ones_sorted() {
        pluginProviders = List.of(new RecordingStorageProvider("zeta"), new RecordingStorageProvider("alpha"));
        assertThatThrownBy(() -> start(config(""), Optional.empty()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("storage.provider: unknown provider '" + PROVIDER + "' (available: alpha, ")
                .hasMessageEndingWith("zeta)");
        assertThat(home.resolve("data")).doesNotExist();
    }

    @Test
    void two_handlers_for_one_action_fail_the_start() {
        pluginHandlers = List.of(new OtherTestHandler("TEST_TWICE"), new OtherTestHandler("test_twice"));
        assertThatThrownBy(() -> start(config(""), Optional.empty()))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("two handlers for action TEST_TWICE");
    }

    @Test
    void a_plugin_failure_stops_the_start() {
        PluginSourceFailing failing = new PluginSourceFailing();
        assertThatThrownBy(() -> PydbServer.start(config(""), home, components(failing), Optional.empty()))
                .isInstanceOf(PluginLoadException.class)
                .hasMessage("plugin " + home.resolve("plugins/broken") + ": no provider");
    }

    @Test
    void a_transport_that_cannot_listen_fails_the_start_and_releases_everything() {
        transportFailure = new IllegalStateException("bind failed", new BindException("Address already in use"));
        assertThatThrownBy(() -> start(config(""), Optional.empty()))
                .isInstanceOf(StartupException.class)
                .hasMessage("cannot listen on 127.0.0.1:0: Address already in use");
        assertThat(provider.lastOpened().isClosed()).isTrue();
        assertThat(transports.get(0).state()).isEqualTo("closed");

        transportFailure = null;
        assertThat(start(config(""), Optional.empty()).port()).isEqualTo(FakeTransport.PORT);
    }

    @Test
    void initial_data_is_loaded_before_listening_and_relative_to_home() throws IOException {
        Files.writeString(home.resolve("seed.json"), "{\"databases\": {\"shop\": {\"u1\": {\"name\": \"Ann\"}}}}");
        start(config(""), Optional.of(Path.of("seed.json")));
        assertThat(provider.lastOpened().get("shop", "u1")).isPresent();
    }

    @Test
    void invalid_initial_data_fails_the_start_and_releases_the_storage() throws IOException {
        Path seed = Files.writeString(home.resolve("seed.json"), "{\"databases\": {\"shop\": {\"u1\": 5}}}");
        assertThatThrownBy(() -> start(config(""), Optional.of(seed)))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("databases.shop.u1: a document must be a JSON object");
        assertThat(provider.lastOpened().isClosed()).isTrue();
        assertThat(transports).isEmpty();
    }

    @Test
    void relative_storage_and_plugin_paths_are_resolved_against_home() {
        start(config("\"plugins\": {\"dir\": \"ext/plugins\"},"), Optional.empty());
        assertThat(pluginDirsAsked).containsExactly(home.resolve("ext/plugins"));
    }

    private PydbServer start(EnvConfig config, Optional<Path> initialData) {
        PydbServer server = PydbServer.start(config, home, components(pluginsDir -> {
            pluginDirsAsked.add(pluginsDir);
            ClassLoader loader = PydbServerTest.class.getClassLoader();
            return List.of(PluginLoader.classPath(), new LoadedPlugin("test-plugin", pluginsDir.resolve("test-plugin"), loader,
                    pluginProviders.stream().map(p -> ContextClassLoaderStorageProvider.wrap(p, loader)).toList(),
                    pluginHandlers));
        }), initialData);
        servers.add(server);
        return server;
    }

    private ServerComponents components(PluginSource plugins) {
        return new ServerComponents(plugins, (auth, clock) -> authenticator, this::transport, Clock.systemUTC(),
                Duration.ofSeconds(1));
    }

    private Transport transport(ServerConfig config, RequestProcessor processor,
            ServerStats stats) {
        FakeTransport transport = new FakeTransport(config, processor, stats, transportFailure);
        transports.add(transport);
        return transport;
    }

    private static EnvConfig config(String extraSections) {
        try {
            return EnvConfigBinder.bind((ObjectNode) new ObjectMapper().readTree("{" + extraSections + """
                    "server": {"port": 0},
                    "storage": {"provider": "test-memory"},
                    "auth": {"users": [{"username": "app", "password": "plain", "roles": ["read:*"]}]}}
                    """));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A plugin source whose one plugin is broken. */
    private static final class PluginSourceFailing implements PluginSource {
        @Override
        public List<LoadedPlugin> load(Path pluginsDir) {
            throw new PluginLoadException(pluginsDir.resolve("broken"), "no provider");
        }
    }
}
