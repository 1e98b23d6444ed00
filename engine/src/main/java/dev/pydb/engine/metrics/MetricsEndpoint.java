package dev.pydb.engine.metrics;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pydb.engine.StartupException;
import dev.pydb.engine.config.MetricsConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The opt-in HTTP endpoint of {@code server.metrics}, on the JDK's own HTTP server:
 * {@code GET /metrics} (the {@link ServerMetrics} in the Prometheus text format 0.0.4) and
 * {@code GET /health} ({@code 200 serving}, or {@code 503 starting} / {@code 503 stopping}).
 * Other paths are 404, other methods 405. No authentication: bind it to loopback or a private
 * network. {@link #close()} stops it at once and is idempotent.
 */
public final class MetricsEndpoint implements AutoCloseable {
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);

    private final HttpServer server;
    private final ExecutorService executor;
    private final ServerMetrics metrics;
    private volatile Health health = Health.STARTING;
    private boolean closed;

    private MetricsEndpoint(HttpServer server, ExecutorService executor, ServerMetrics metrics) {
        this.server = server;
        this.executor = executor;
        this.metrics = metrics;
    }

    /**
     * Binds {@code config.host():config.port()} and serves; {@link #health()} is
     * {@link Health#STARTING} until told otherwise.
     *
     * @throws StartupException if it cannot bind
     */
    public static MetricsEndpoint start(MetricsConfig config, ServerMetrics metrics) {
        requireNonNull(config, "config is null");
        requireNonNull(metrics, "metrics is null");
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 16);
        } catch (IOException | RuntimeException e) {
            throw new StartupException("cannot listen for server.metrics on " + config.host() + ":" + config.port() + ": "
                    + e.getMessage(), e);
        }
        ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("pydb-metrics-", 0).factory());
        MetricsEndpoint endpoint = new MetricsEndpoint(server, executor, metrics);
        server.setExecutor(executor);
        server.createContext("/", endpoint::handle);
        server.start();
        LOG.info("metrics on http://{}:{}/metrics, health on /health (no authentication)", config.host(), endpoint.port());
        return endpoint;
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    public Health health() {
        return health;
    }

    public void health(Health newHealth) {
        this.health = requireNonNull(newHealth, "newHealth is null");
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        health = Health.STOPPING;
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            boolean known = path.equals("/metrics") || path.equals("/health");
            if (!known) {
                respond(exchange, 404, "text/plain; charset=utf-8", "not found: try /metrics or /health\n");
            } else if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                respond(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n");
            } else if (path.equals("/health")) {
                Health now = health;
                respond(exchange, now == Health.SERVING ? 200 : 503, "text/plain; charset=utf-8",
                        now.name().toLowerCase(Locale.ROOT) + "\n");
            } else {
                respond(exchange, 200, PROMETHEUS_TEXT, metrics.scrape());
            }
        } catch (RuntimeException e) {
            LOG.warn("metrics request {} failed: {}", exchange.getRequestURI(), e.toString());
            throw e;
        }
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
