package dev.pydb.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageContext;
import dev.pydb.api.storage.StorageProvider;
import dev.pydb.engine.auth.DefaultAuthenticator;
import dev.pydb.engine.config.EnvConfig;
import dev.pydb.engine.fakes.FrameCalls;
import dev.pydb.engine.config.EnvConfigBinder;
import dev.pydb.engine.config.MetricsConfig;
import dev.pydb.engine.plugin.LoadedPlugin;
import dev.pydb.engine.plugin.PluginLoader;
import dev.pydb.engine.server.PydbServer;
import dev.pydb.engine.server.ServerComponents;
import dev.pydb.engine.server.TransportFactory;
import dev.pydb.storage.tck.memory.InMemoryStorage;
import dev.pydb.storage.tck.memory.InMemoryStorageProvider;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code server.metrics} on a real server: /health through a start, /metrics moving with requests, 404/405. */
class MetricsEndpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    Path home;

    private final CountDownLatch openMayFinish = new CountDownLatch(1);
    private PydbServer server;

    @AfterEach
    void close() {
        openMayFinish.countDown();
        if (server != null) {
            server.close();
        }
    }

    @Test
    void healthIs503WhileTheStorageOpensThen200AndTheEndpointClosesWithTheServer() throws Exception {
        int metricsPort = freePort();
        CompletableFuture<PydbServer> starting = CompletableFuture.supplyAsync(() -> start(metricsPort, 1024));

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> get(metricsPort, "/health").statusCode() == 503);
        assertThat(get(metricsPort, "/health").body()).isEqualTo("starting\n");
        assertThat(get(metricsPort, "/metrics").body()).as("JVM metrics are there from the start")
                .contains("jvm_memory_used_bytes");

        openMayFinish.countDown();
        server = starting.get(30, TimeUnit.SECONDS);
        HttpResponse<String> serving = get(metricsPort, "/health");
        assertThat(serving.statusCode()).isEqualTo(200);
        assertThat(serving.body()).isEqualTo("serving\n");
        assertThat(server.metricsPort()).contains(metricsPort);

        server.close();
        try {
            HttpResponse<String> after = get(metricsPort, "/health");
            assertThat(after.statusCode()).as("nothing serves after close").isEqualTo(503);
        } catch (ConnectException | java.net.http.HttpConnectTimeoutException expected) {
            // the endpoint is closed
        }
        server = null;
    }

    @Test
    void metricsCountRequestsByActionAndOutcomeLatencyLoginFailuresConnectionsAndDocuments() throws Exception {
        openMayFinish.countDown();
        server = start(0, 2);
        int metricsPort = server.metricsPort().orElseThrow();
        try (Socket client = connect(server.port())) {
            assertThat(call(client, "{\"action\":\"LOGIN\",\"username\":\"admin\",\"password\":\"wrong\"}")
                    .at("/error/code").asText()).isEqualTo("UNAUTHENTICATED");
            assertThat(call(client, "{\"action\":\"LOGIN\",\"username\":\"admin\",\"password\":\"secret\"}")
                    .at("/ok").asBoolean()).isTrue();
            call(client, "{\"action\":\"CREATE_DB\",\"db\":\"shop\"}");
            call(client, "{\"action\":\"PUT\",\"db\":\"shop\",\"key\":\"a\",\"doc\":{\"n\":1}}");
            call(client, "{\"action\":\"GET\",\"db\":\"shop\",\"key\":\"a\"}");
            call(client, "{\"action\":\"GET\",\"db\":\"shop\",\"key\":\"a\"}");
            assertThat(call(client, "{\"action\":\"GET\",\"db\":\"shop\",\"key\":\"missing\"}").at("/error/code").asText())
                    .isEqualTo("NOT_FOUND");
            call(client, "not json");
            try (Socket second = connect(server.port()); Socket third = connect(server.port())) {
                // max_connections 2: the third is refused with an error frame
                await().atMost(Duration.ofSeconds(30)).until(() -> metric(metricsPort, "pydb_connections_refused_total") >= 1);
            }

            String metrics = get(metricsPort, "/metrics").body();
            assertThat(metrics)
                    .contains("pydb_requests_total{action=\"GET\",outcome=\"ok\"} 2")
                    .contains("pydb_requests_total{action=\"GET\",outcome=\"NOT_FOUND\"} 1")
                    .contains("pydb_requests_total{action=\"LOGIN\",outcome=\"UNAUTHENTICATED\"} 1")
                    .contains("pydb_requests_total{action=\"(invalid)\",outcome=\"BAD_JSON\"} 1")
                    .contains("pydb_request_duration_seconds_count{action=\"GET\"} 3")
                    .contains("pydb_request_duration_seconds_bucket{action=\"GET\",le=\"+Inf\"} 3")
                    .contains("pydb_request_duration_seconds_bucket{action=\"PUT\",le=\"0.001\"}")
                    .contains("pydb_login_failures_total 1")
                    .contains("pydb_login_lockouts_total 0")
                    .contains("pydb_databases 1")
                    .contains("pydb_documents{db=\"shop\"} 1")
                    .contains("pydb_info{provider=\"metrics-memory\"")
                    .contains("jvm_gc_").contains("jvm_threads_live_threads").contains("process_uptime_seconds");
            assertThat(metric(metricsPort, "pydb_connections_open")).isGreaterThanOrEqualTo(1);
            assertThat(metric(metricsPort, "pydb_connections_total")).as("accepted, not refused").isGreaterThanOrEqualTo(2);
            assertThat(get(metricsPort, "/metrics").headers().firstValue("Content-Type"))
                    .contains(MetricsEndpoint.PROMETHEUS_TEXT);
        }
    }

    @Test
    void healthAnswersEachStateAsDocumented() throws Exception {
        try (ServerMetrics meters = new ServerMetrics();
                MetricsEndpoint endpoint = MetricsEndpoint.start(new MetricsConfig(true, "127.0.0.1", 0), meters)) {
            assertThat(get(endpoint.port(), "/health").statusCode()).isEqualTo(503);
            endpoint.health(Health.SERVING);
            assertThat(get(endpoint.port(), "/health").body()).isEqualTo("serving\n");
            endpoint.health(Health.STOPPING);
            HttpResponse<String> stopping = get(endpoint.port(), "/health");
            assertThat(stopping.statusCode()).isEqualTo(503);
            assertThat(stopping.body()).isEqualTo("stopping\n");
        }
    }

    @Test
    void otherPathsAre404AndOtherMethods405() throws Exception {
        openMayFinish.countDown();
        server = start(0, 1024);
        int port = server.metricsPort().orElseThrow();
        assertThat(get(port, "/").statusCode()).isEqualTo(404);
        assertThat(get(port, "/metricsx").statusCode()).isEqualTo(404);
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
    }

    @Test
    void withoutTheSectionNoEndpointIsStarted() {
        openMayFinish.countDown();
        EnvConfig config = config("\"server\": {\"port\": 0},");
        server = PydbServer.start(config, home, components(), Optional.empty());
        assertThat(server.metricsPort()).isEmpty();
    }

    @Test
    void storageCommitsAndCheckpointsAreExported() {
        try (ServerMetrics metrics = new ServerMetrics()) {
            metrics.commitCompleted(12, 4096, 1_500_000);
            metrics.commitCompleted(1, 100, 200_000);
            metrics.checkpointCompleted(30_000_000);
            String text = metrics.scrape();
            assertThat(text).contains("pydb_storage_commit_duration_seconds_count 2")
                    .contains("pydb_storage_commit_duration_seconds_bucket{le=\"2.5E-4\"} 1")
                    .contains("pydb_storage_commit_duration_seconds_bucket{le=\"0.0025\"} 2")
                    .contains("pydb_storage_commit_requests_sum 13.0")
                    .contains("pydb_storage_commit_requests_bucket{le=\"8.0\"} 1")
                    .contains("pydb_storage_commit_requests_bucket{le=\"16.0\"} 2")
                    .contains("pydb_storage_commit_bytes_total 4196.0")
                    .contains("pydb_storage_checkpoint_duration_seconds_count 1");
        }
    }

    private PydbServer start(int metricsPort, int maxConnections) {
        return PydbServer.start(config("""
                "server": {"port": 0, "max_connections": %d, "metrics": {"enabled": true, "port": %d}},
                """.formatted(maxConnections, metricsPort)), home, components(), Optional.empty());
    }

    private ServerComponents components() {
        InMemoryStorageProvider memory = new InMemoryStorageProvider("metrics-memory");
        StorageProvider provider = new StorageProvider() {
            @Override
            public String name() {
                return memory.name();
            }

            @Override
            public InMemoryStorage open(StorageConfig config, StorageContext context) {
                try {
                    openMayFinish.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return memory.open(config, context);
            }
        };
        return new ServerComponents(
                dir -> List.of(PluginLoader.classPath(), new LoadedPlugin("memory", dir.resolve("memory"), MetricsEndpointTest.class.getClassLoader(),
                        List.of(provider), List.of())),
                DefaultAuthenticator::new, TransportFactory.production(), Clock.systemUTC(), Duration.ofSeconds(1));
    }

    private static EnvConfig config(String serverSection) {
        try {
            return EnvConfigBinder.bind((ObjectNode) JSON.readTree("{" + serverSection + """
                    "storage": {"provider": "metrics-memory"},
                    "auth": {"users": [{"username": "admin", "password": "secret", "roles": ["admin"]}]}}
                    """));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The value of an unlabelled sample. */
    private static double metric(int port, String name) throws IOException, InterruptedException {
        return get(port, "/metrics").body().lines().filter(line -> line.startsWith(name + " ")).findFirst()
                .map(line -> Double.parseDouble(line.substring(name.length() + 1))).orElse(-1.0);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static JsonNode call(Socket socket, String body) throws IOException {
        return FrameCalls.call(socket, body);
    }
}
