package dev.pydb.engine.plugin;

import static dev.pydb.engine.plugin.TestPluginSources.contextCheckingStorageProvider;
import static dev.pydb.engine.plugin.TestPluginSources.handler;
import static dev.pydb.engine.plugin.TestPluginSources.libraryVersion;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.ApiVersion;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageContext;
import dev.pydb.api.storage.StorageOptions;
import dev.pydb.api.storage.StorageProvider;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginLoaderTest {
    /** Where the engine pom copies the older Jackson jars (maven-dependency-plugin, process-test-classes). */
    private static final Path OLD_JACKSON_JARS = Path.of("target", "plugin-test-libs");
    /** The root pom's {@code plugin-test.jackson.version}. */
    private static final String OLD_JACKSON_VERSION = "2.17.2";

    @TempDir
    Path tempDir;

    private Path pluginsDir;
    private TestPluginJars jars;
    private final PluginLoader loader = new PluginLoader();

    @BeforeEach
    void setUp() throws IOException {
        pluginsDir = Files.createDirectories(tempDir.resolve("plugins"));
        jars = new TestPluginJars(tempDir.resolve("work"));
    }

    @Test
    void missingPluginsFolderGivesNoPlugins() {
        assertThat(loadFolder(tempDir.resolve("no-such-folder"))).isEmpty();
    }

    @Test
    void emptyPluginsFolderGivesNoPlugins() {
        assertThat(loadFolder(pluginsDir)).isEmpty();
    }

    @Test
    void loadsLooseJarsAndFoldersOfJarsInNameOrderIgnoringHiddenAndOtherFiles() throws IOException {
        simpleHandlerJar(pluginsDir.resolve("beta.jar"), "beta", "BETA");
        simpleHandlerJar(pluginsDir.resolve("alpha").resolve("alpha-plugin.jar"), "alpha", "ALPHA");
        simpleHandlerJar(pluginsDir.resolve(".hidden.jar"), "hidden", "HIDDEN");
        Files.writeString(pluginsDir.resolve("README.txt"), "not a plugin");

        List<LoadedPlugin> plugins = loadFolder(pluginsDir);

        assertThat(plugins).extracting(LoadedPlugin::name).containsExactly("alpha", "beta");
        assertThat(plugins).extracting(LoadedPlugin::location)
                .containsExactly(pluginsDir.resolve("alpha").toString(), pluginsDir.resolve("beta.jar").toString());
        assertThat(plugins).allSatisfy(plugin -> {
            assertThat(plugin.classLoader()).isInstanceOf(PluginClassLoader.class);
            assertThat(plugin.storageProviders()).isEmpty();
        });
        assertThat(handle(onlyHandler(plugins.get(0)))).isEqualTo("from alpha");
        assertThat(onlyHandler(plugins.get(0)).action()).isEqualTo("ALPHA");
        assertThat(handle(onlyHandler(plugins.get(1)))).isEqualTo("from beta");
        assertThat(plugins.get(0).classLoader()).isNotSameAs(plugins.get(1).classLoader());
    }

    @Test
    void pluginWithoutServiceFileFailsNamingItsPath() {
        Path jar = jars.jar(pluginsDir.resolve("silent.jar"))
                .source("silent.Handler", handler("silent", "Handler", "SILENT", "\"x\""))
                .build();

        assertThatThrownBy(() -> loader.load(pluginsDir))
                .isInstanceOf(PluginLoadException.class)
                .hasMessageStartingWith("plugin " + jar + ": ")
                .hasMessageContaining("no StorageProvider or ActionHandler")
                .extracting(e -> ((PluginLoadException) e).plugin()).isEqualTo(jar);
    }

    @Test
    void pluginFolderWithoutJarsFails() throws IOException {
        Path folder = Files.createDirectories(pluginsDir.resolve("empty"));

        assertThatThrownBy(() -> loader.load(pluginsDir))
                .isInstanceOf(PluginLoadException.class)
                .hasMessage("plugin " + folder + ": the plugin folder holds no *.jar files");
    }

    @Test
    void throwingConstructorFailsNamingThePathAndCarryingTheConstructorsMessage() {
        Path jar = jars.jar(pluginsDir.resolve("broken.jar"))
                .source("broken.Handler", handler("broken", "Handler", "BROKEN", "\"x\"",
                        "public Handler() { throw new IllegalStateException(\"boom from the constructor\"); }"))
                .service(ActionHandler.class, "broken.Handler")
                .build();

        assertThatThrownBy(() -> loader.load(pluginsDir))
                .isInstanceOf(PluginLoadException.class)
                .hasMessage("plugin " + jar + ": cannot create its ActionHandlers: " + ActionHandler.class.getName()
                        + ": Provider broken.Handler could not be instantiated: "
                        + "java.lang.IllegalStateException: boom from the constructor")
                .hasRootCauseMessage("boom from the constructor");
    }

    @Test
    void serviceFileNamingAMissingClassFailsNamingThePath() {
        Path jar = jars.jar(pluginsDir.resolve("typo.jar"))
                .source("typo.Handler", handler("typo", "Handler", "TYPO", "\"x\""))
                .service(ActionHandler.class, "typo.Handlr")
                .build();

        assertThatThrownBy(() -> loader.load(pluginsDir))
                .isInstanceOf(PluginLoadException.class)
                .hasMessageStartingWith("plugin " + jar + ": cannot create its ActionHandlers: ")
                .hasMessageContaining("typo.Handlr not found");
    }

    @Test
    void serviceFileNamingAClassOfTheWrongTypeFailsNamingThePath() {
        Path jar = jars.jar(pluginsDir.resolve("wrong.jar"))
                .source("wrong.Handler", handler("wrong", "Handler", "WRONG", "\"x\""))
                .service(StorageProvider.class, "wrong.Handler")
                .build();

        assertThatThrownBy(() -> loader.load(pluginsDir))
                .isInstanceOf(PluginLoadException.class)
                .hasMessageStartingWith("plugin " + jar + ": cannot create its StorageProviders: ")
                .hasMessageContaining("wrong.Handler not a subtype");
    }

    @Test
    void duplicateActionNameInTwoPluginsFailsNamingBoth() {
        Path first = simpleHandlerJar(pluginsDir.resolve("first.jar"), "first", "SAME");
        Path second = simpleHandlerJar(pluginsDir.resolve("second.jar"), "second", "same");

        assertThatThrownBy(() -> loader.load(pluginsDir))
                .isInstanceOf(PluginLoadException.class)
                .hasMessage("plugin " + second + ": action 'SAME' of second.Handler is already provided by "
                        + "first.Handler in plugin " + first);
    }

    @Test
    void duplicateStorageProviderNameFailsNamingBoth() {
        Path first = jars.jar(pluginsDir.resolve("a.jar"))
                .source("a.Provider", contextCheckingStorageProvider("a", "Provider", "twin"))
                .service(StorageProvider.class, "a.Provider")
                .build();
        Path second = jars.jar(pluginsDir.resolve("b.jar"))
                .source("b.Provider", contextCheckingStorageProvider("b", "Provider", "twin"))
                .service(StorageProvider.class, "b.Provider")
                .build();

        assertThatThrownBy(() -> loader.load(pluginsDir))
                .isInstanceOf(PluginLoadException.class)
                .hasMessage("plugin " + second + ": storage provider 'twin' of b.Provider is already provided by "
                        + "a.Provider in plugin " + first);
    }

    @Test
    void folderAndJarOfTheSameNameFail() {
        Path folder = simpleHandlerJar(pluginsDir.resolve("twin").resolve("twin.jar"), "one", "ONE").getParent();
        Path jar = simpleHandlerJar(pluginsDir.resolve("twin.jar"), "two", "TWO");

        assertThatThrownBy(() -> loader.load(pluginsDir))
                .isInstanceOf(PluginLoadException.class)
                .hasMessage("plugin " + jar + ": plugin " + folder + " has the same name 'twin'");
    }

    @Test
    void blankActionNameFails() {
        Path jar = jars.jar(pluginsDir.resolve("blank.jar"))
                .source("blank.Handler", handler("blank", "Handler", " ", "\"x\""))
                .service(ActionHandler.class, "blank.Handler")
                .build();

        assertThatThrownBy(() -> loader.load(pluginsDir))
                .isInstanceOf(PluginLoadException.class)
                .hasMessage("plugin " + jar + ": blank.Handler returns a blank action name");
    }

    @Test
    void pluginBundlingAnotherJacksonVersionUsesTheServersJackson() throws Exception {
        Path plugin = Files.createDirectories(pluginsDir.resolve("old-jackson"));
        List<Path> oldJackson = oldJacksonJars();
        for (Path jar : oldJackson) {
            Files.copy(jar, plugin.resolve(jar.getFileName()));
        }
        jars.jar(plugin.resolve("plugin.jar"))
                .source("oldjackson.Handler", handler("oldjackson", "Handler", "JACKSON_VERSION",
                        "new com.fasterxml.jackson.databind.ObjectMapper().version()"))
                .service(ActionHandler.class, "oldjackson.Handler")
                .build();

        LoadedPlugin loaded = single(loadFolder(pluginsDir));

        String serversJackson = new ObjectMapper().version().toString();
        assertThat(serversJackson).isNotEqualTo(OLD_JACKSON_VERSION);
        assertThat(handle(onlyHandler(loaded))).isEqualTo(serversJackson);
        ClassLoader pluginLoader = loaded.classLoader();
        assertThat(pluginLoader.loadClass(ObjectMapper.class.getName())).isSameAs(ObjectMapper.class);
        assertThat(pluginLoader.loadClass(JsonNode.class.getName())).isSameAs(JsonNode.class);
        assertThat(pluginLoader.loadClass(com.fasterxml.jackson.core.JsonFactory.class.getName()))
                .isSameAs(com.fasterxml.jackson.core.JsonFactory.class);
        assertThat(pluginLoader.getResource("com/fasterxml/jackson/databind/ObjectMapper.class"))
                .isEqualTo(ObjectMapper.class.getClassLoader().getResource("com/fasterxml/jackson/databind/ObjectMapper.class"));
    }

    @Test
    void sharedLibraryClassTheServerLacksComesFromThePluginButApiClassesNever() throws Exception {
        jars.jar(pluginsDir.resolve("extras.jar"))
                .source("com.fasterxml.jackson.extramodule.Extra", """
                        package com.fasterxml.jackson.extramodule;
                        public final class Extra {
                            public static String name() { return "extra module"; }
                        }
                        """)
                .source("dev.pydb.api.Extra", "package dev.pydb.api; public final class Extra {}")
                .source("extras.Handler", handler("extras", "Handler", "EXTRAS",
                        "com.fasterxml.jackson.extramodule.Extra.name()"))
                .service(ActionHandler.class, "extras.Handler")
                .build();

        LoadedPlugin plugin = single(loadFolder(pluginsDir));

        assertThat(handle(onlyHandler(plugin))).isEqualTo("extra module");
        assertThat(plugin.classLoader().loadClass("com.fasterxml.jackson.extramodule.Extra").getClassLoader())
                .isSameAs(plugin.classLoader());
        assertThatThrownBy(() -> plugin.classLoader().loadClass("dev.pydb.api.Extra"))
                .isInstanceOf(ClassNotFoundException.class);
        assertThat(plugin.classLoader().getResource("dev/pydb/api/Extra.class")).isNull();
    }

    @Test
    void twoPluginsBundlingDifferentVersionsOfOneLibraryEachSeeTheirOwn() {
        for (String version : List.of("1", "2")) {
            Path plugin = pluginsDir.resolve("uses-lib-" + version);
            Path library = jars.jar(plugin.resolve("lib-" + version + ".jar"))
                    .source("com.example.lib.Version", libraryVersion(version))
                    .build();
            jars.jar(plugin.resolve("plugin.jar"))
                    .source("v" + version + ".Handler", handler("v" + version, "Handler", "LIB_VERSION_" + version,
                            "com.example.lib.Version.get()"))
                    .service(ActionHandler.class, "v" + version + ".Handler")
                    .compiledAgainst(library)
                    .build();
        }

        List<LoadedPlugin> plugins = loadFolder(pluginsDir);

        assertThat(plugins).extracting(plugin -> handle(onlyHandler(plugin))).containsExactly("1", "2");
        assertThatThrownBy(() -> getClass().getClassLoader().loadClass("com.example.lib.Version"))
                .isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void pluginsCannotSeeTheServersOwnClasses() throws Exception {
        simpleHandlerJar(pluginsDir.resolve("isolated.jar"), "isolated", "ISOLATED");

        ClassLoader pluginLoader = single(loadFolder(pluginsDir)).classLoader();

        assertThatThrownBy(() -> pluginLoader.loadClass(PluginLoader.class.getName()))
                .isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> pluginLoader.loadClass(org.junit.jupiter.api.Test.class.getName()))
                .isInstanceOf(ClassNotFoundException.class);
        assertThat(pluginLoader.loadClass(String.class.getName())).isSameAs(String.class);
        assertThat(pluginLoader.loadClass(java.sql.Connection.class.getName())).isSameAs(java.sql.Connection.class);
    }

    @Test
    void serviceFilesOfTheServerAreNotSeenByPlugins() throws Exception {
        Path serverJar = jars.jar(tempDir.resolve("server").resolve("server-extra.jar"))
                .source("server.Handler", handler("server", "Handler", "SERVER_ONLY", "\"server\""))
                .service(ActionHandler.class, "server.Handler")
                .build();
        simpleHandlerJar(pluginsDir.resolve("own.jar"), "own", "OWN");

        try (URLClassLoader serverLoader = new URLClassLoader(new URL[] {serverJar.toUri().toURL()},
                getClass().getClassLoader())) {
            LoadedPlugin plugin = single(withoutClassPath(new PluginLoader(serverLoader).load(pluginsDir)));

            assertThat(plugin.actionHandlers()).extracting(ActionHandler::action).containsExactly("OWN");
            List<URL> serviceFiles = Collections.list(
                    plugin.classLoader().getResources("META-INF/services/" + ActionHandler.class.getName()));
            assertThat(serviceFiles).singleElement().asString().contains("own.jar");
        }
    }

    @Test
    void handlerIsCreatedAndCalledWithThePluginsLoaderAsContextClassLoader() {
        jars.jar(pluginsDir.resolve("tccl.jar"))
                .source("tccl.Handler", handler("tccl", "Handler", "TCCL",
                        "\"construct:\" + constructedWithPluginLoader + \",handle:\" + pluginLoaderIsContext()",
                        """
                        private final boolean constructedWithPluginLoader = pluginLoaderIsContext();

                        private static boolean pluginLoaderIsContext() {
                            return Thread.currentThread().getContextClassLoader() == Handler.class.getClassLoader();
                        }
                        """))
                .service(ActionHandler.class, "tccl.Handler")
                .build();
        ClassLoader before = Thread.currentThread().getContextClassLoader();

        LoadedPlugin plugin = single(loadFolder(pluginsDir));

        assertThat(handle(onlyHandler(plugin))).isEqualTo("construct:true,handle:true");
        assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(before);
    }

    @Test
    void storageProviderOpensAndStorageRunsWithThePluginsLoaderAsContextClassLoader() throws IOException {
        jars.jar(pluginsDir.resolve("store.jar"))
                .source("store.Provider", contextCheckingStorageProvider("store", "Provider", "teststore"))
                .service(StorageProvider.class, "store.Provider")
                .build();
        ClassLoader before = Thread.currentThread().getContextClassLoader();

        LoadedPlugin plugin = single(loadFolder(pluginsDir));
        StorageProvider provider = plugin.storageProviders().getFirst();
        Storage storage = provider.open(new StorageConfig(Files.createDirectories(tempDir.resolve("data")),
                StorageOptions.empty()), new FixedStorageContext(tempDir));

        assertThat(provider.name()).isEqualTo("teststore");
        assertThat(plugin.actionHandlers()).isEmpty();
        assertThat(storage.listDatabases()).containsExactly("open:true", "call:true");
        storage.close();
        assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(before);
    }

    @Test
    void pluginWithBothKindsOfProviderOffersBoth() {
        jars.jar(pluginsDir.resolve("both.jar"))
                .source("both.Provider", contextCheckingStorageProvider("both", "Provider", "bothstore"))
                .source("both.Handler", handler("both", "Handler", "BOTH", "\"both\""))
                .service(StorageProvider.class, "both.Provider")
                .service(ActionHandler.class, "both.Handler")
                .build();

        LoadedPlugin plugin = single(loadFolder(pluginsDir));

        assertThat(plugin.storageProviders()).extracting(StorageProvider::name).containsExactly("bothstore");
        assertThat(plugin.actionHandlers()).extracting(ActionHandler::action).containsExactly("BOTH");
    }

    @Test
    void pluginsDirThatIsAFileFails() throws IOException {
        Path file = Files.writeString(tempDir.resolve("plugins.txt"), "x");

        assertThatThrownBy(() -> loader.load(file))
                .isInstanceOf(PluginLoadException.class)
                .hasMessage("plugin " + file + ": the plugins folder is not a directory");
    }

    private Path simpleHandlerJar(Path jar, String pkg, String action) {
        return jars.jar(jar)
                .source(pkg + ".Handler", handler(pkg, "Handler", action, "\"from " + pkg + "\""))
                .service(ActionHandler.class, pkg + ".Handler")
                .build();
    }

    private static List<Path> oldJacksonJars() throws IOException {
        try (Stream<Path> files = Files.list(OLD_JACKSON_JARS)) {
            List<Path> result = files.filter(path -> path.getFileName().toString().startsWith("jackson-")
                    && path.getFileName().toString().endsWith("-" + OLD_JACKSON_VERSION + ".jar")).sorted().toList();
            assertThat(result).as("jackson-core and jackson-databind %s in %s", OLD_JACKSON_VERSION, OLD_JACKSON_JARS)
                    .hasSize(2);
            return result;
        }
    }

    @Test
    void theClassPathComesFirstAsOneMorePluginWithItsActionsWrapped() {
        List<LoadedPlugin> all = loader.load(tempDir.resolve("no-such-folder"));

        assertThat(all).hasSize(1);
        LoadedPlugin classPath = all.get(0);
        assertThat(classPath.isClassPath()).isTrue();
        assertThat(classPath.actionHandlers()).extracting(ActionHandler::action).contains("PING", "GET");
        assertThat(classPath.actionHandlers()).allSatisfy(handler ->
                assertThat(handler).isInstanceOf(ContextClassLoaderActionHandler.class));
    }

    @Test
    void aPluginActionThatTheClassPathAlreadyProvidesFailsInTheLoader() {
        Path jar = simpleHandlerJar(pluginsDir.resolve("ping.jar"), "ping", "PING");

        assertThatThrownBy(() -> loader.load(pluginsDir))
                .isInstanceOf(PluginLoadException.class)
                .hasMessageStartingWith("plugin " + jar + ": ")
                .hasMessageContaining("action 'PING'")
                .hasMessageContaining("is already provided by dev.pydb.engine.actions.PingAction in plugin class path");
    }

    @Test
    void aPluginBuiltAgainstAnotherMajorApiVersionIsRefusedNamingBothVersions() {
        ApiVersion server = ApiVersion.current();
        String built = (server.major() + 1) + ".0";
        Path jar = jars.jar(pluginsDir.resolve("future.jar"))
                .source("future.Handler", handler("future", "Handler", "FUTURE", "\"x\""))
                .service(ActionHandler.class, "future.Handler")
                .manifestAttribute(ApiVersion.MANIFEST_ATTRIBUTE, built)
                .build();

        assertThatThrownBy(() -> loader.load(pluginsDir))
                .isInstanceOf(PluginLoadException.class)
                .hasMessageStartingWith("plugin " + jar + ": ")
                .hasMessageContaining("built against py_db api " + built)
                .hasMessageContaining("this server provides api " + server);
    }

    @Test
    void aPluginBuiltAgainstANewerMinorOrTheSameApiVersionLoads() {
        ApiVersion server = ApiVersion.current();
        jars.jar(pluginsDir.resolve("newer.jar"))
                .source("newer.Handler", handler("newer", "Handler", "NEWER", "\"x\""))
                .service(ActionHandler.class, "newer.Handler")
                .manifestAttribute(ApiVersion.MANIFEST_ATTRIBUTE, server.major() + "." + (server.minor() + 1))
                .build();
        jars.jar(pluginsDir.resolve("same.jar"))
                .source("same.Handler", handler("same", "Handler", "SAME", "\"x\""))
                .service(ActionHandler.class, "same.Handler")
                .manifestAttribute(ApiVersion.MANIFEST_ATTRIBUTE, server.toString())
                .build();

        assertThat(loadFolder(pluginsDir)).extracting(LoadedPlugin::name).containsExactly("newer", "same");
    }

    @Test
    void aMalformedApiVersionIsRefused() {
        jars.jar(pluginsDir.resolve("odd.jar"))
                .source("odd.Handler", handler("odd", "Handler", "ODD", "\"x\""))
                .service(ActionHandler.class, "odd.Handler")
                .manifestAttribute(ApiVersion.MANIFEST_ATTRIBUTE, "one")
                .build();

        assertThatThrownBy(() -> loader.load(pluginsDir))
                .isInstanceOf(PluginLoadException.class)
                .hasMessageContaining("odd.jar declares Pydb-Api-Version: not an api version (MAJOR.MINOR): 'one'");
    }

    private List<LoadedPlugin> loadFolder(Path dir) {
        return withoutClassPath(loader.load(dir));
    }

    private static List<LoadedPlugin> withoutClassPath(List<LoadedPlugin> plugins) {
        assertThat(plugins.get(0).isClassPath()).as("the class path comes first").isTrue();
        return plugins.subList(1, plugins.size());
    }

    private static LoadedPlugin single(List<LoadedPlugin> plugins) {
        assertThat(plugins).hasSize(1);
        return plugins.getFirst();
    }

    private static ActionHandler onlyHandler(LoadedPlugin plugin) {
        assertThat(plugin.actionHandlers()).hasSize(1);
        return plugin.actionHandlers().getFirst();
    }

    /** Calls a test handler; they ignore the request context. */
    private static String handle(ActionHandler handler) {
        ObjectNode request = JsonNodeFactory.instance.objectNode().put("action", handler.action());
        return handler.handle(null, request).textValue();
    }

    private record FixedStorageContext(Path homeDirectory) implements StorageContext {
        @Override
        public String serverVersion() {
            return "0.1.0-test";
        }
    }
}
