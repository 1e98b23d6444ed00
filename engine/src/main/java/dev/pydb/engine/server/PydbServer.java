package dev.pydb.engine.server;

import dev.pydb.engine.transport.Transport;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pydb.api.ConfigException;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageMetrics;
import dev.pydb.api.storage.StorageOptions;
import dev.pydb.api.storage.StorageProvider;
import dev.pydb.engine.StartupException;
import dev.pydb.engine.auth.Authenticator;
import dev.pydb.engine.backup.BackupJobs;
import dev.pydb.engine.auth.DefaultAuthenticator;
import dev.pydb.engine.auth.LoginThrottle;
import dev.pydb.engine.config.EnvConfig;
import dev.pydb.engine.config.MetricsConfig;
import dev.pydb.engine.config.ServerConfig;
import dev.pydb.engine.dispatch.ActionRegistration;
import dev.pydb.engine.dispatch.ActionRegistry;
import dev.pydb.engine.dispatch.Dispatcher;
import dev.pydb.engine.dispatch.EngineLimits;
import dev.pydb.engine.dispatch.Services;
import dev.pydb.engine.initialdata.InitialDataLoader;
import dev.pydb.engine.initialdata.InitialDataSummary;
import dev.pydb.engine.json.JsonSupport;
import dev.pydb.engine.metrics.Health;
import dev.pydb.engine.metrics.MetricsEndpoint;
import dev.pydb.engine.metrics.ServerMetrics;
import dev.pydb.engine.plugin.LoadedPlugin;
import dev.pydb.engine.plugin.PluginSource;
import dev.pydb.engine.stats.NodeAddress;
import dev.pydb.engine.stats.RequestObserver;
import dev.pydb.engine.stats.ServerInfo;
import dev.pydb.engine.stats.ServerStats;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running py_db server, composed from the environment file: plugins, the storage provider
 * (locked and opened), optional initial data, authentication, the dispatcher and the transport.
 * {@link #start} returns once the server listens; {@link #close} stops it gracefully and is
 * idempotent. Embeddable: tests start it in-process on port 0.
 */
public final class PydbServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PydbServer.class);

    private final Transport transport;
    private final ActionRegistry actions;
    private final Storage storage;
    private final StorageLock lock;
    private final ServerInfo info;
    private final Duration shutdownGrace;
    private final Optional<Metrics> metrics;
    private final BackupJobs backups;
    private final CountDownLatch closed = new CountDownLatch(1);
    private boolean closing;

    private PydbServer(Transport transport, ActionRegistry actions, Storage storage, StorageLock lock, ServerInfo info,
            Duration shutdownGrace, Optional<Metrics> metrics, BackupJobs backups) {
        this.transport = transport;
        this.backups = backups;
        this.actions = actions;
        this.storage = storage;
        this.lock = lock;
        this.info = info;
        this.shutdownGrace = shutdownGrace;
        this.metrics = metrics;
    }

    /**
     * Starts a server. Besides the exceptions below, a broken plugin throws
     * {@code PluginLoadException} and a storage that cannot be opened a {@code PydbException}; all
     * messages fit on one line.
     *
     * @param config      the bound environment file
     * @param home        the home folder; relative paths of the config are resolved against it
     * @param components  plugins, authenticator, transport and clock
     * @param initialData an initial-data file to load before listening, if any (a relative path is
     *                    resolved against {@code home})
     * @throws ConfigException  a bad setting, e.g. an unknown {@code storage.provider}
     * @throws StartupException  the storage is locked by another server, initial data is invalid,
     *                           the transport cannot listen, two providers or handlers share a name
     */
    public static PydbServer start(EnvConfig config, Path home, ServerComponents components, Optional<Path> initialData) {
        requireNonNull(config, "config is null");
        requireNonNull(home, "home is null");
        requireNonNull(components, "components is null");
        requireNonNull(initialData, "initialData is null");
        long startNanos = System.nanoTime();
        Path homeDirectory = home.toAbsolutePath().normalize();
        String version = PydbVersion.current();
        ProtectedMode.check(config);
        Optional<Metrics> metrics = Metrics.startIfEnabled(config.server().metrics());
        try {
            PydbServer server = start(config, homeDirectory, components, initialData, version, startNanos, metrics);
            metrics.ifPresent(m -> m.endpoint().health(Health.SERVING));
            return server;
        } catch (RuntimeException | Error e) {
            metrics.ifPresent(Metrics::close);
            throw e;
        }
    }

    private static PydbServer start(EnvConfig config, Path homeDirectory, ServerComponents components,
            Optional<Path> initialData, String version, long startNanos, Optional<Metrics> metrics) {
        List<LoadedPlugin> plugins = components.plugins().load(homeDirectory.resolve(config.plugins().dir()).normalize());
        StorageProvider provider = chooseProvider(config.storage().provider(), plugins);
        ActionRegistry registry = ActionRegistry.of(actionRegistrations(plugins));
        ObjectMapper json = JsonSupport.mapper(config.server().maxQueryLength());
        ObjectMapper unauthenticatedJson = JsonSupport.unauthenticatedMapper(config.server().maxUnauthenticatedQueryLength());
        ServerConfig serverConfig = config.server().withTls(config.server().tls().resolvedAgainst(homeDirectory));

        Path storagePath = homeDirectory.resolve(config.storage().path()).normalize();
        StorageLock lock = StorageLock.acquire(storagePath);
        try {
            StorageConfig storageConfig = new StorageConfig(storagePath, StorageOptions.of(config.storage().options()));
            Storage storage = open(provider, storageConfig, new EngineStorageContext(homeDirectory, version,
                    metrics.<StorageMetrics>map(Metrics::meters).orElse(StorageMetrics.NONE)));
            try {
                initialData.ifPresent(file -> loadInitialData(file.isAbsolute() ? file : homeDirectory.resolve(file), storage,
                        json, config));
                DefaultAuthenticator.warnAboutPlainTextPasswords(config.auth());
                Clock clock = components.clock();
                Authenticator authenticator = components.authenticators().create(config.auth(), clock, storage.sessions());
                ServerStats stats = new ServerStats(clock,
                        metrics.<RequestObserver>map(Metrics::meters).orElse(RequestObserver.NONE));
                ServerInfo info = new ServerInfo(version, provider.name(), pluginInfos(plugins));
                metrics.ifPresent(m -> m.meters().bind(stats, storage, info));
                NodeAddress node = new NodeAddress();
                BackupJobs backups = new BackupJobs(storage, json, version, provider.name(), clock);
                Services services = Services.builder()
                        .add(NodeAddress.class, node)
                        .add(Authenticator.class, authenticator)
                        .add(ServerStats.class, stats)
                        .add(ServerInfo.class, info)
                        .add(BackupJobs.class, backups)
                        .add(LoginThrottle.class, LoginThrottle.from(config.auth(), clock, storage.sessions(), stats))
                        .build();
                Dispatcher dispatcher = new Dispatcher(registry, authenticator, storage, json, unauthenticatedJson,
                        EngineLimits.from(config.server()), stats, services);
                Transport transport = listen(components.transports().create(serverConfig, dispatcher, stats), config);
                node.listening(config.server().host(), transport.port());
                LOG.info("py_db {} listening on {}:{} (provider {}) in {} ms", version, config.server().host(),
                        transport.port(), provider.name(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
                return new PydbServer(transport, registry, storage, lock, info, components.shutdownGrace(), metrics, backups);
            } catch (RuntimeException | Error e) {
                closeStorage(storage);
                throw e;
            }
        } catch (RuntimeException | Error e) {
            closeActions(registry);
            lock.close();
            throw e;
        }
    }

    /** The port the server listens on. */
    public int port() {
        return transport.port();
    }

    /** The port of the metrics endpoint, if {@code server.metrics} is enabled. */
    public Optional<Integer> metricsPort() {
        return metrics.map(m -> m.endpoint().port());
    }

    public ServerInfo info() {
        return info;
    }

    /**
     * Stops accepting connections, lets in-flight requests finish, closes the storage and releases
     * the lock. Idempotent; a second caller waits until the first has finished.
     */
    @Override
    public synchronized void close() {
        if (closing) {
            return;
        }
        closing = true;
        LOG.info("py_db stopping");
        metrics.ifPresent(m -> m.endpoint().health(Health.STOPPING));
        try {
            try {
                transport.stop(shutdownGrace);
            } finally {
                transport.close();
            }
        } catch (RuntimeException e) {
            LOG.warn("stopping the transport failed: {}", e.toString());
        } finally {
            closeActions(actions);
            backups.close();
            closeStorage(storage);
            lock.close();
            metrics.ifPresent(Metrics::close);
            closed.countDown();
            LOG.info("py_db stopped");
        }
    }

    /** Waits until {@link #close} has finished. */
    public void awaitClosed() throws InterruptedException {
        closed.await();
    }

    /** The provider named {@code name} among the plugins' providers; {@link ConfigException} listing the names otherwise. */
    public static StorageProvider chooseProvider(String name, List<LoadedPlugin> plugins) {
        Map<String, StorageProvider> byName = new HashMap<>();
        for (LoadedPlugin plugin : plugins) {
            for (StorageProvider provider : plugin.storageProviders()) {
                byName.put(provider.name(), provider);
            }
        }
        StorageProvider chosen = byName.get(name);
        if (chosen == null) {
            throw new ConfigException("storage.provider", "unknown provider '" + name + "' (available: "
                    + (byName.isEmpty() ? "none" : String.join(", ", new TreeSet<>(byName.keySet()))) + ")");
        }
        return chosen;
    }

    private static List<ActionRegistration> actionRegistrations(List<LoadedPlugin> plugins) {
        List<ActionRegistration> registrations = new ArrayList<>();
        for (LoadedPlugin plugin : plugins) {
            for (ActionHandler handler : plugin.actionHandlers()) {
                registrations.add(new ActionRegistration(handler, plugin.origin()));
            }
        }
        return registrations;
    }

    /** Opens the storage; a plugin's provider arrives wrapped, so its own class loader is the context loader. */
    private static Storage open(StorageProvider provider, StorageConfig config, EngineStorageContext context) {
        LOG.info("opening storage '{}' at {}", provider.name(), config.path());
        return requireNonNull(provider.open(config, context), "storage opened by " + provider.getClass().getName());
    }

    private static void loadInitialData(Path file, Storage storage, ObjectMapper json, EnvConfig config) {
        LOG.info("loading initial data from {}", file);
        InitialDataSummary summary = new InitialDataLoader(json, config.server().maxDocumentBytes(),
                config.server().maxBatchOps()).load(file, storage);
        LOG.info("initial data loaded: {} databases created, {} documents inserted, {} already present",
                summary.databasesCreated(), summary.documentsInserted(), summary.documentsSkipped());
    }

    private static Transport listen(Transport transport, EnvConfig config) {
        try {
            transport.start();
            return transport;
        } catch (RuntimeException e) {
            try {
                transport.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof StartupException) {
                throw e;
            }
            throw new StartupException("cannot listen on " + config.server().host() + ":" + config.server().port()
                    + ": " + rootMessage(e), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.toString();
    }

    private static void closeActions(ActionRegistry registry) {
        for (ActionHandler handler : registry.handlers()) {
            try {
                handler.close();
            } catch (RuntimeException e) {
                LOG.warn("closing the handler of action {} failed: {}", handler.action(), e.toString());
            }
        }
    }

    private static void closeStorage(Storage storage) {
        try {
            storage.close();
        } catch (RuntimeException e) {
            LOG.warn("closing the storage failed: {}", e.toString());
        }
    }

    /** The meters and their HTTP endpoint of {@code server.metrics}, started before anything else so /health answers 503 while starting. */
    private record Metrics(ServerMetrics meters, MetricsEndpoint endpoint) {
        static Optional<Metrics> startIfEnabled(MetricsConfig config) {
            if (!config.enabled()) {
                return Optional.empty();
            }
            ServerMetrics meters = new ServerMetrics();
            try {
                return Optional.of(new Metrics(meters, MetricsEndpoint.start(config, meters)));
            } catch (RuntimeException e) {
                meters.close();
                throw e;
            }
        }

        void close() {
            endpoint.close();
            meters.close();
        }
    }

    private static List<ServerInfo.PluginInfo> pluginInfos(List<LoadedPlugin> plugins) {
        return plugins.stream()
                .filter(p -> !p.isClassPath())
                .map(p -> new ServerInfo.PluginInfo(p.name(), p.location(),
                        p.storageProviders().stream().map(StorageProvider::name).sorted().toList(),
                        p.actionHandlers().stream().map(h -> ActionRegistry.normalize(h.action())).sorted().toList()))
                .toList();
    }
}
