package dev.pydb.engine.plugin;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.action.ActionHandler;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Enumeration;
import java.util.List;

/**
 * The class loader of one plugin. Its parent is the platform class loader, so a plugin sees the
 * JDK and its own jars, and nothing of the server's class path except the shared packages: the
 * api ({@code dev.pydb.api.}) and the libraries the api exposes: Jackson's core, databind and
 * annotations ({@code com.fasterxml.jackson.core.}, {@code .databind.}, {@code .annotation.}: the api's
 * methods take and return {@code JsonNode}, {@code ObjectNode}, {@code ObjectMapper}), and SLF4J
 * ({@code org.slf4j.}: a plugin logs into the server's log). Those are delegated to the server's loader, so the plugin and the server
 * use the same {@code Class} objects for them. Every other class is the plugin's own: two plugins
 * may carry different versions of one library.
 *
 * <p>Lookup order for a class: a shared class from the server (a library class the server does
 * not have, e.g. an extra Jackson module, falls back to the plugin's jars; an api class never
 * does); a JDK class from the platform loader; otherwise the plugin's jars. Resources follow the
 * same rule, so {@code META-INF/services} files, including those for the SPI types, are found
 * only in the plugin's own jars.
 */
public final class PluginClassLoader extends URLClassLoader {
    /** The package prefixes a plugin shares with the server. */
    public static final List<String> SHARED_PACKAGES = List.of("dev.pydb.api.", "com.fasterxml.jackson.core.",
            "com.fasterxml.jackson.databind.", "com.fasterxml.jackson.annotation.", "org.slf4j.");

    private static final String API_PACKAGE = "dev.pydb.api.";

    static {
        ClassLoader.registerAsParallelCapable();
    }

    private final String pluginName;
    private final ClassLoader serverLoader;

    /**
     * @param pluginName   the plugin's name, for diagnostics
     * @param urls         the plugin's jars
     * @param serverLoader the loader the shared packages come from
     */
    public PluginClassLoader(String pluginName, List<URL> urls, ClassLoader serverLoader) {
        super("plugin-" + requireNonNull(pluginName, "pluginName is null"),
                urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
        this.pluginName = pluginName;
        this.serverLoader = requireNonNull(serverLoader, "serverLoader is null");
    }

    /** A loader sharing the api with the loader the server's api classes come from. */
    public static PluginClassLoader sharingServerApi(String pluginName, List<URL> urls) {
        return new PluginClassLoader(pluginName, urls, ActionHandler.class.getClassLoader());
    }

    public String pluginName() {
        return pluginName;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> type = findLoadedClass(name);
            if (type == null) {
                type = isShared(name) ? loadShared(name) : loadOwn(name);
            }
            if (resolve) {
                resolveClass(type);
            }
            return type;
        }
    }

    private Class<?> loadShared(String name) throws ClassNotFoundException {
        try {
            return serverLoader.loadClass(name);
        } catch (ClassNotFoundException e) {
            if (name.startsWith(API_PACKAGE)) {
                throw e;
            }
            return findClass(name);
        }
    }

    private Class<?> loadOwn(String name) throws ClassNotFoundException {
        try {
            return getParent().loadClass(name);
        } catch (ClassNotFoundException e) {
            return findClass(name);
        }
    }

    @Override
    public URL getResource(String name) {
        if (isSharedResource(name)) {
            URL url = serverLoader.getResource(name);
            return url != null || isApiResource(name) ? url : findResource(name);
        }
        URL url = getParent().getResource(name);
        return url != null ? url : findResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        if (isSharedResource(name)) {
            return serverLoader.getResources(name);
        }
        return super.getResources(name);
    }

    private static boolean isShared(String className) {
        for (String prefix : SHARED_PACKAGES) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isSharedResource(String resourceName) {
        return isShared(resourceName.replace('/', '.'));
    }

    private static boolean isApiResource(String resourceName) {
        return resourceName.replace('/', '.').startsWith(API_PACKAGE);
    }

    @Override
    public String toString() {
        return "PluginClassLoader[" + pluginName + "]";
    }
}
