package dev.pydb.engine.plugin;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ApiVersion;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the api version a plugin was compiled against (its jars' {@value ApiVersion#MANIFEST_ATTRIBUTE}
 * manifest attribute) against the server's ({@link ApiVersion#current()}), as Trino's
 * {@code checkSpiVersion}: another major version is refused naming both versions; a newer minor
 * version, or none declared, loads with a warning. The newest version any of the plugin's jars
 * declares counts (a plugin's own jar declares it; its libraries do not).
 */
final class ApiCompatibility {
    private static final Logger LOG = LoggerFactory.getLogger(ApiCompatibility.class);

    private final ApiVersion server;

    ApiCompatibility(ApiVersion server) {
        this.server = requireNonNull(server, "server is null");
    }

    /** Refuses or warns about {@code plugin} (whose jars are {@code jars}). */
    void check(Path plugin, List<URL> jars) {
        Optional<ApiVersion> built = declaredVersion(plugin, jars);
        if (built.isEmpty()) {
            LOG.warn("plugin {} does not say which py_db api it was built against (no {} in its jars' manifests); "
                    + "loading it as if it were built against api {}", plugin, ApiVersion.MANIFEST_ATTRIBUTE, server);
            return;
        }
        ApiVersion version = built.get();
        if (version.major() != server.major()) {
            throw new PluginLoadException(plugin, "it was built against py_db api " + version
                    + ", but this server provides api " + server + " (another major version is incompatible);"
                    + " use a build of the plugin for api " + server.major() + ".x");
        }
        if (version.minor() > server.minor()) {
            LOG.warn("plugin {} was built against py_db api {}, newer than this server's api {}: it may call methods"
                    + " this server does not have; upgrade the server", plugin, version, server);
        }
    }

    private static Optional<ApiVersion> declaredVersion(Path plugin, List<URL> jars) {
        Optional<ApiVersion> newest = Optional.empty();
        for (URL url : jars) {
            Optional<ApiVersion> declared = declared(plugin, url);
            if (declared.isPresent() && (newest.isEmpty() || declared.get().compareTo(newest.get()) > 0)) {
                newest = declared;
            }
        }
        return newest;
    }

    private static Optional<ApiVersion> declared(Path plugin, URL url) {
        Path jar;
        try {
            jar = Path.of(url.toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Optional.empty();
        }
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            String value = manifest == null ? null : manifest.getMainAttributes().getValue(ApiVersion.MANIFEST_ATTRIBUTE);
            if (value == null) {
                return Optional.empty();
            }
            try {
                return Optional.of(ApiVersion.parse(value));
            } catch (IllegalArgumentException e) {
                throw new PluginLoadException(plugin, "jar " + jar.getFileName() + " declares "
                        + ApiVersion.MANIFEST_ATTRIBUTE + ": " + e.getMessage());
            }
        } catch (IOException e) {
            throw new PluginLoadException(plugin, "cannot read jar " + jar + ": " + e.getMessage(), e);
        }
    }
}
