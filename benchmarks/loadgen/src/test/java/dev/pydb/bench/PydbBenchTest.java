package dev.pydb.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pydb.client.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PydbBenchTest {
    private static final Map<String, String> ADMIN_PASSWORD = Map.of("PYDB_PASSWORD", "admin-pw");

    @TempDir
    static Path home;

    private static TestServer server;

    @BeforeAll
    static void startServer() {
        server = TestServer.start(home);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(Map<String, String> environment, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exitCode = PydbBench.execute(environment, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Run(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void mixedRunWithPipeliningReportsEveryRequestAndNoErrors() throws Exception {
        Run run = run(ADMIN_PASSWORD, "-p", String.valueOf(server.port()), "-c", "3", "-P", "4",
                "--mix", "get=50,put=20,insert=10,find=10,batch=10", "-d", "64", "-r", "300", "-n", "1200", "--json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode summary = new ObjectMapper().readTree(run.out());
        assertThat(summary.path("requests").asLong()).isEqualTo(1200);
        assertThat(summary.path("errors").asLong()).isZero();
        assertThat(summary.path("error_codes").size()).isZero();
        assertThat(summary.path("preloaded").asLong()).isEqualTo(300);
        assertThat(summary.path("connections").asInt()).isEqualTo(3);
        assertThat(summary.path("pipeline").asInt()).isEqualTo(4);
        assertThat(summary.path("mix").asText()).isEqualTo("get=50,put=20,insert=10,find=10,batch=10");
        assertThat(summary.path("requests_per_second").asDouble()).isPositive();
        JsonNode latency = summary.path("latency_ms");
        assertThat(latency.path("p50").asDouble()).isPositive();
        assertThat(latency.path("p99").asDouble()).isGreaterThanOrEqualTo(latency.path("p50").asDouble());
        assertThat(latency.path("p99_9").asDouble()).isGreaterThanOrEqualTo(latency.path("p99").asDouble());
        assertThat(latency.path("max").asDouble()).isGreaterThanOrEqualTo(latency.path("p99_9").asDouble());
    }

    @Test
    void durationRunPrintsProgressAndTextSummary() {
        Run run = run(ADMIN_PASSWORD, "-p", String.valueOf(server.port()), "-c", "2", "-r", "100",
                "--duration", "1200ms", "--db", "timed");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("preloading 100 keys").contains("get=100: 1 s,");
        assertThat(run.out()).contains("throughput:").contains("p99.9").contains("errors: 0");
    }

    @Test
    void errorResponsesAreCountedByCode() throws Exception {
        // Without a preload the GETs find nothing: every request is a NOT_FOUND.
        Run run = run(ADMIN_PASSWORD, "-p", String.valueOf(server.port()), "-c", "1", "-r", "50", "-n", "20",
                "--db", "empty", "--no-preload", "--json");

        assertThat(run.exitCode()).isEqualTo(PydbBench.EXIT_ERRORS);
        JsonNode summary = new ObjectMapper().readTree(run.out());
        assertThat(summary.path("errors").asLong()).isEqualTo(20);
        assertThat(summary.path("error_codes").path("NOT_FOUND").asLong()).isEqualTo(20);
    }

    @Test
    void wrongPasswordFailsTheRunWithTheServersCode() {
        Run run = run(Map.of("PYDB_PASSWORD", "nope"), "-p", String.valueOf(server.port()), "-n", "10");

        assertThat(run.exitCode()).isEqualTo(PydbBench.EXIT_FAILED);
        assertThat(run.err()).contains("UNAUTHENTICATED");
    }

    @Test
    void badOptionsAreUsageErrors() {
        assertThat(run(ADMIN_PASSWORD, "--mix", "get=80,fly=20").err()).contains("unknown operation 'fly'");
        assertThat(run(ADMIN_PASSWORD, "--mix", "get=80,fly=20").exitCode()).isEqualTo(PydbBench.EXIT_USAGE);
        assertThat(run(Map.of(), "-n", "1").err()).contains("PYDB_PASSWORD");
        assertThat(run(ADMIN_PASSWORD, "--duration", "soon").exitCode()).isEqualTo(PydbBench.EXIT_USAGE);
    }
}
