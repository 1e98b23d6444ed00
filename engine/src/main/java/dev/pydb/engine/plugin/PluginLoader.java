package dev.pydb.engine.plugin;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ApiVersion;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.storage.StorageProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the class path and the plugins of a plugins folder. The class path comes first, as one more
 * plugin location (as Kafka Connect treats it): its providers and handlers are found with
 * {@link ServiceLoader} through the server's loader. Every subfolder (a folder of jars) and every loose
 * {@code *.jar} in it is one plugin with its own {@link PluginClassLoader}; hidden entries and
 * other files are ignored, and plugins load in the order of their file names. Each plugin's
 * {@link StorageProvider}s and {@link ActionHandler}s are found with {@link ServiceLoader} in the
 * plugin's own jars and created with the plugin's loader as the thread context class loader.
 *
 * <p>The returned providers and handlers are wrapped so that every call into them runs with the
 * plugin's loader as the context class loader ({@link ContextClassLoaderStorageProvider},
 * {@link ContextClassLoaderActionHandler}).
 *
 * <p>Before a plugin is loaded its api version is checked ({@link ApiCompatibility}): a plugin built
 * against another major version of the api is refused.
 *
 * <p>Fails with a {@link PluginLoadException} naming the plugin's path if a plugin has no
 * provider of either kind, a provider cannot be created, or two providers or handlers of the
 * loaded plugins share a name. On failure every loader created so far is closed.
 */
public final class PluginLoader implements PluginSource {
    private static final Logger LOG = LoggerFactory.getLogger(PluginLoader.class);
    private static final String JAR_SUFFIX = ".jar";
    private static final int MAX_CAUSES = 10;

    private final ClassLoader serverLoader;
    private final ApiCompatibility apiCompatibility;

    /** A loader sharing the api packages with the loader of the server's api classes. */
    public PluginLoader() {
        this(ActionHandler.class.getClassLoader());
    }

    /** A loader sharing the api packages with {@code serverLoader}. */
    public PluginLoader(ClassLoader serverLoader) {
        this(serverLoader, ApiVersion.current());
    }

    /** A loader for a server that provides api {@code serverApi} (tests). */
    PluginLoader(ClassLoader serverLoader, ApiVersion serverApi) {
        this.serverLoader = requireNonNull(serverLoader, "serverLoader is null");
        this.apiCompatibility = new ApiCompatibility(serverApi);
    }

    @Override
    public List<LoadedPlugin> load(Path pluginsDir) {
        requireNonNull(pluginsDir, "pluginsDir is null");
        List<LoadedPlugin> loaded = new ArrayList<>();
        Names names = new Names();
        loaded.add(classPath(names));
        if (!Files.exists(pluginsDir)) {
            LOG.info("No plugins folder at {}; no plugins loaded", pluginsDir);
            return List.copyOf(loaded);
        }
        if (!Files.isDirectory(pluginsDir)) {
            throw new PluginLoadException(pluginsDir, "the plugins folder is not a directory");
        }
        try {
            for (Path entry : pluginEntries(pluginsDir)) {
                LoadedPlugin plugin = loadPlugin(entry, names);
                loaded.add(plugin);
                LOG.info("Loaded plugin '{}' from {}: storage providers {}, actions {}", plugin.name(), plugin.location(),
                        plugin.storageProviders().stream().map(StorageProvider::name).toList(),
                        plugin.actionHandlers().stream().map(ActionHandler::action).toList());
            }
        } catch (RuntimeException | Error e) {
            loaded.stream().filter(plugin -> !plugin.isClassPath()).forEach(plugin -> closeQuietly(plugin.classLoader()));
            throw e;
        }
        return List.copyOf(loaded);
    }

    /**
     * Only the server's class path, as {@link #load} returns it first; for a {@link PluginSource}
     * that adds plugins of its own (tests).
     */
    public static LoadedPlugin classPath() {
        return new PluginLoader().classPath(new Names());
    }

    /** The server's class path as a plugin: its providers and handlers, wrapped like a plugin's. */
    private LoadedPlugin classPath(Names names) {
        Path origin = Path.of(LoadedPlugin.CLASS_PATH);
        List<StorageProvider> storageProviders = create(StorageProvider.class, serverLoader, origin);
        List<ActionHandler> actionHandlers = create(ActionHandler.class, serverLoader, origin);
        register(origin, storageProviders, actionHandlers, names);
        return new LoadedPlugin(LoadedPlugin.CLASS_PATH, LoadedPlugin.CLASS_PATH, serverLoader,
                storageProviders.stream().map(p -> ContextClassLoaderStorageProvider.wrap(p, serverLoader)).toList(),
                actionHandlers.stream().map(h -> ContextClassLoaderActionHandler.wrap(h, serverLoader)).toList());
    }

    private static void register(Path plugin, List<StorageProvider> storageProviders, List<ActionHandler> actionHandlers,
            Names names) {
        for (StorageProvider provider : storageProviders) {
            String providerName = requireName(plugin, provider, "storage provider name", StorageProvider::name);
            names.register(names.providers, providerName.toLowerCase(Locale.ROOT), "storage provider",
                    new Origin(plugin, provider.getClass().getName()));
        }
        for (ActionHandler handler : actionHandlers) {
            String action = requireName(plugin, handler, "action name", ActionHandler::action);
            requireValue(plugin, handler, "permission", ActionHandler::permission);
            names.register(names.actions, action.toUpperCase(Locale.ROOT), "action",
                    new Origin(plugin, handler.getClass().getName()));
        }
    }

    private static List<Path> pluginEntries(Path pluginsDir) {
        try (Stream<Path> entries = Files.list(pluginsDir)) {
            return entries
                    .filter(path -> !isHidden(path))
                    .filter(path -> Files.isDirectory(path) || isJar(path))
                    .sorted(Comparator.comparing(path -> path.getFileName().toString()))
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            throw new PluginLoadException(pluginsDir, "cannot list the plugins folder: " + e.getMessage(), e);
        }
    }

    private LoadedPlugin loadPlugin(Path plugin, Names names) {
        String name = pluginName(plugin);
        Path sameName = names.plugins.putIfAbsent(name, plugin);
        if (sameName != null) {
            throw new PluginLoadException(plugin, "plugin " + sameName + " has the same name '" + name + "'");
        }
        List<URL> jars = jarUrls(plugin);
        apiCompatibility.check(plugin, jars);
        PluginClassLoader loader = new PluginClassLoader(name, jars, serverLoader);
        try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.swap(loader)) {
            List<StorageProvider> storageProviders = create(StorageProvider.class, loader, plugin);
            List<ActionHandler> actionHandlers = create(ActionHandler.class, loader, plugin);
            if (storageProviders.isEmpty() && actionHandlers.isEmpty()) {
                throw new PluginLoadException(plugin, "no StorageProvider or ActionHandler found; list one in "
                        + "META-INF/services/" + StorageProvider.class.getName() + " or META-INF/services/"
                        + ActionHandler.class.getName());
            }
            register(plugin, storageProviders, actionHandlers, names);
            return new LoadedPlugin(name, plugin, loader,
                    storageProviders.stream().map(p -> ContextClassLoaderStorageProvider.wrap(p, loader)).toList(),
                    actionHandlers.stream().map(h -> ContextClassLoaderActionHandler.wrap(h, loader)).toList());
        } catch (RuntimeException | Error e) {
            closeQuietly(loader);
            throw e;
        }
    }

    private static String pluginName(Path plugin) {
        String fileName = plugin.getFileName().toString();
        return Files.isDirectory(plugin) ? fileName : fileName.substring(0, fileName.length() - JAR_SUFFIX.length());
    }

    private static List<URL> jarUrls(Path plugin) {
        List<Path> jars;
        if (Files.isDirectory(plugin)) {
            try (Stream<Path> entries = Files.list(plugin)) {
                jars = entries.filter(path -> !isHidden(path) && isJar(path))
                        .sorted(Comparator.comparing(path -> path.getFileName().toString()))
                        .toList();
            } catch (IOException | UncheckedIOException e) {
                throw new PluginLoadException(plugin, "cannot list the plugin folder: " + e.getMessage(), e);
            }
            if (jars.isEmpty()) {
                throw new PluginLoadException(plugin, "the plugin folder holds no *.jar files");
            }
        } else {
            jars = List.of(plugin);
        }
        List<URL> urls = new ArrayList<>();
        for (Path jar : jars) {
            try {
                urls.add(jar.toUri().toURL());
            } catch (MalformedURLException e) {
                throw new PluginLoadException(plugin, "cannot use jar " + jar + ": " + e.getMessage(), e);
            }
        }
        return urls;
    }

    private static <T> List<T> create(Class<T> type, ClassLoader loader, Path plugin) {
        List<T> result = new ArrayList<>();
        try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.swap(loader)) {
            for (T instance : ServiceLoader.load(type, loader)) {
                result.add(instance);
            }
        } catch (ServiceConfigurationError | LinkageError e) {
            throw new PluginLoadException(plugin, "cannot create its " + type.getSimpleName() + "s: " + describe(e), e);
        }
        return result;
    }

    private static <T> String requireName(Path plugin, T instance, String what, Function<T, String> getter) {
        String name = requireValue(plugin, instance, what, getter);
        if (name.isBlank()) {
            throw new PluginLoadException(plugin, instance.getClass().getName() + " returns a blank " + what);
        }
        return name;
    }

    private static <T, R> R requireValue(Path plugin, T instance, String what, Function<T, R> getter) {
        R value;
        try {
            value = getter.apply(instance);
        } catch (RuntimeException e) {
            throw new PluginLoadException(plugin, "the " + what + " of " + instance.getClass().getName()
                    + " cannot be read: " + describe(e), e);
        }
        if (value == null) {
            throw new PluginLoadException(plugin, instance.getClass().getName() + " returns no " + what);
        }
        return value;
    }

    /** The message of {@code error} followed by those of its causes: a constructor's message is usually in a cause. */
    private static String describe(Throwable error) {
        StringBuilder text = new StringBuilder(String.valueOf(error.getMessage()));
        Throwable cause = error.getCause();
        for (int depth = 0; cause != null && depth < MAX_CAUSES; depth++, cause = cause.getCause()) {
            text.append(": ").append(cause);
        }
        return text.toString();
    }

    private static boolean isHidden(Path path) {
        return path.getFileName().toString().startsWith(".");
    }

    private static boolean isJar(Path path) {
        return Files.isRegularFile(path) && path.getFileName().toString().endsWith(JAR_SUFFIX);
    }

    private static void closeQuietly(ClassLoader loader) {
        if (loader instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.debug("Cannot close {}", loader, e);
            }
        }
    }

    /** Which plugin provides a name, and through what (a class name). */
    private record Origin(Path plugin, String source) {}

    /** The names taken so far by the loaded plugins; a second taker fails naming both. */
    private static final class Names {
        final Map<String, Path> plugins = new HashMap<>();
        final Map<String, Origin> providers = new HashMap<>();
        final Map<String, Origin> actions = new HashMap<>();

        void register(Map<String, Origin> taken, String name, String kind, Origin origin) {
            Origin previous = taken.putIfAbsent(name, origin);
            if (previous != null) {
                throw new PluginLoadException(origin.plugin(), kind + " '" + name + "' of " + origin.source()
                        + " is already provided by " + previous.source() + " in plugin " + previous.plugin());
            }
        }
    }
}
