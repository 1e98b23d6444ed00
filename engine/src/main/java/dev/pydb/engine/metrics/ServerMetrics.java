package dev.pydb.engine.metrics;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageMetrics;
import dev.pydb.engine.stats.RequestObserver;
import dev.pydb.engine.stats.ServerInfo;
import dev.pydb.engine.stats.ServerStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's meters in one Micrometer registry, exported in the Prometheus text format
 * ({@link #scrape()}). Requests by action and outcome, request latency by action, connections
 * (open, total, refused), failed logins and lockouts (from {@link ServerStats}), storage commits
 * (latency, group size, bytes) and checkpoints ({@link StorageMetrics}), databases and documents
 * (counted at each scrape), and the JVM (memory, GC, threads, classes, CPU, file descriptors,
 * uptime). The per-request cost is a map lookup, a counter increment and a histogram update.
 * Thread-safe.
 */
public final class ServerMetrics implements RequestObserver, StorageMetrics, AutoCloseable {
    static final String OK = "ok";

    private static final Logger LOG = LoggerFactory.getLogger(ServerMetrics.class);
    private static final Duration[] REQUEST_BUCKETS = durations(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250,
            500, 1_000, 2_500, 5_000, 10_000);
    private static final Duration[] COMMIT_BUCKETS = durations(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500,
            1_000, 2_500, 10_000);
    private static final double[] GROUP_SIZE_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, ActionMeters> actions = new ConcurrentHashMap<>();
    private final Timer commits;
    private final DistributionSummary commitGroups;
    private final Counter commitBytes;
    private final Timer checkpoints;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final AtomicLong databases = new AtomicLong();
    private final MultiGauge documents;
    private volatile Storage storage;
    /** Held here: Micrometer's function meters keep only a weak reference. */
    private volatile ServerStats stats;

    public ServerMetrics() {
        commits = Timer.builder("pydb.storage.commit.duration")
                .description("time from a commit's first request to its durability")
                .serviceLevelObjectives(COMMIT_BUCKETS)
                .register(registry);
        commitGroups = DistributionSummary.builder("pydb.storage.commit.requests")
                .description("write requests that shared one commit (group commit)")
                .serviceLevelObjectives(GROUP_SIZE_BUCKETS)
                .register(registry);
        commitBytes = Counter.builder("pydb.storage.commit.bytes").baseUnit("bytes")
                .description("bytes appended by commits").register(registry);
        checkpoints = Timer.builder("pydb.storage.checkpoint.duration")
                .description("time of one checkpoint of the storage")
                .serviceLevelObjectives(COMMIT_BUCKETS)
                .register(registry);
        Gauge.builder("pydb.databases", databases, AtomicLong::get).description("databases, counted at each scrape")
                .register(registry);
        documents = MultiGauge.builder("pydb.documents").description("documents per database, counted at each scrape")
                .register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** Exports the counters of {@code stats} and, at each scrape, the databases and documents of {@code storage}. */
    public void bind(ServerStats stats, Storage storage, ServerInfo info) {
        this.stats = requireNonNull(stats, "stats is null");
        this.storage = requireNonNull(storage, "storage is null");
        requireNonNull(info, "info is null");
        Gauge.builder("pydb.connections.open", stats, ServerStats::openConnections).strongReference(true)
                .description("connections open now").register(registry);
        FunctionCounter.builder("pydb.connections", stats, ServerStats::totalConnections)
                .description("connections accepted").register(registry);
        FunctionCounter.builder("pydb.connections.refused", stats, ServerStats::refusedConnections)
                .description("connections refused at once (max_connections, pre-authentication limits)").register(registry);
        FunctionCounter.builder("pydb.login.failures", stats, ServerStats::loginFailures)
                .description("LOGINs with a wrong password or an unknown user").register(registry);
        FunctionCounter.builder("pydb.login.lockouts", stats, ServerStats::lockouts)
                .description("usernames or client addresses locked out after failed LOGINs").register(registry);
        Gauge.builder("pydb.info", () -> 1).tags("version", info.version(), "provider", info.storageProvider())
                .description("the server's version and storage provider").register(registry);
    }

    @Override
    public void requestCompleted(String action, ErrorCode error, long nanos) {
        ActionMeters meters = actions.get(action);
        if (meters == null) {
            meters = actions.computeIfAbsent(action, this::newActionMeters);
        }
        meters.latency.record(nanos, TimeUnit.NANOSECONDS);
        meters.outcome(error).increment();
    }

    @Override
    public void commitCompleted(int requests, long bytes, long nanos) {
        commits.record(nanos, TimeUnit.NANOSECONDS);
        commitGroups.record(requests);
        commitBytes.increment(bytes);
    }

    @Override
    public void checkpointCompleted(long nanos) {
        checkpoints.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Counts databases and documents, then returns every meter in the Prometheus text format (0.0.4). */
    public String scrape() {
        refreshStorageCounts();
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }

    private void refreshStorageCounts() {
        Storage current = storage;
        if (current == null) {
            return;
        }
        try {
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            List<String> names = current.listDatabases();
            for (String db : names) {
                try {
                    long count = current.count(db);
                    rows.add(MultiGauge.Row.of(Tags.of("db", db), count));
                } catch (PydbException e) {
                    // dropped since it was listed, or unreadable: left out of this scrape
                    LOG.debug("metrics: cannot count database {}: {}", db, e.getMessage());
                }
            }
            databases.set(names.size());
            documents.register(rows, true);
        } catch (RuntimeException e) {
            LOG.debug("metrics: cannot list the databases: {}", e.toString());
        }
    }

    private ActionMeters newActionMeters(String action) {
        Timer latency = Timer.builder("pydb.request.duration")
                .description("time from the start of parsing a request to its response being ready")
                .tag("action", action)
                .serviceLevelObjectives(REQUEST_BUCKETS)
                .register(registry);
        return new ActionMeters(action, latency);
    }

    private static Duration[] durations(double... millis) {
        Duration[] result = new Duration[millis.length];
        for (int i = 0; i < millis.length; i++) {
            result[i] = Duration.ofNanos(Math.round(millis[i] * 1_000_000));
        }
        return result;
    }

    /** The meters of one action: its latency and a request counter per outcome. */
    private final class ActionMeters {
        private final String action;
        private final Timer latency;
        private final Counter ok;
        private final Map<ErrorCode, Counter> errors = new EnumMap<>(ErrorCode.class);

        ActionMeters(String action, Timer latency) {
            this.action = action;
            this.latency = latency;
            this.ok = requests(OK);
        }

        Counter outcome(ErrorCode error) {
            if (error == null) {
                return ok;
            }
            synchronized (errors) {
                return errors.computeIfAbsent(error, code -> requests(code.name()));
            }
        }

        private Counter requests(String outcome) {
            return Counter.builder("pydb.requests").description("answered requests by action and outcome (ok or the error code)")
                    .tags("action", action, "outcome", outcome).register(registry);
        }
    }
}
