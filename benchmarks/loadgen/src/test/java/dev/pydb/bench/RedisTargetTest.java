package dev.pydb.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pydb-bench {@code --target redis} against a real redis-server on a free port; skipped if none is installed. */
class RedisTargetTest {
    private static final Path REDIS_SERVER = Path.of("/usr/bin/redis-server");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private static Process redis;
    private static int port;

    @BeforeAll
    static void startRedis() throws IOException {
        assumeTrue(Files.isExecutable(REDIS_SERVER), "redis-server is not installed");
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        redis = new ProcessBuilder(REDIS_SERVER.toString(), "--bind", "127.0.0.1", "--port", String.valueOf(port),
                "--dir", dir.toString(), "--save", "", "--appendonly", "no")
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
                .until(() -> {
                    try (Socket ignored = new Socket("127.0.0.1", port)) {
                        return true;
                    }
                });
    }

    @AfterAll
    static void stopRedis() throws InterruptedException {
        if (redis != null) {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @BeforeEach
    void emptyRedis() throws IOException {
        command("*1\r\n$8\r\nFLUSHALL\r\n");
    }

    private static void command(String resp) throws IOException {
        try (RespConnection connection = RespConnection.open("127.0.0.1", port)) {
            byte[] bytes = resp.getBytes(StandardCharsets.US_ASCII);
            connection.write(bytes, bytes.length);
            assertThat(connection.readReply()).isNull();
        }
    }

    private record Run(int exitCode, JsonNode summary, String err) {
    }

    private static Run run(String... args) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = new String[args.length + 6];
        System.arraycopy(new String[] {"--target", "redis", "-p", String.valueOf(port), "--json", "-q"}, 0, all, 0, 6);
        System.arraycopy(args, 0, all, 6, args.length);
        int exitCode = PydbBench.execute(Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), all);
        String text = out.toString(StandardCharsets.UTF_8);
        return new Run(exitCode, text.isBlank() ? null : JSON.readTree(text), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void preloadedGetsAndPutsSucceedWithAndWithoutPipelining() throws Exception {
        for (String pipeline : new String[] {"1", "16"}) {
            Run run = run("-c", "3", "-P", pipeline, "--mix", "get=70,put=30", "-d", "100", "-r", "300", "-n", "1600");

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.summary().path("target").asText()).isEqualTo("redis");
            assertThat(run.summary().path("pipeline").asInt()).isEqualTo(Integer.parseInt(pipeline));
            assertThat(run.summary().path("preloaded").asLong()).isEqualTo(300);
            assertThat(run.summary().path("requests").asLong()).isEqualTo(1600);
            assertThat(run.summary().path("errors").asLong()).isZero();
        }
        ByteArrayOutputStream value = new ByteArrayOutputStream();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.getOutputStream().write("*2\r\n$6\r\nSTRLEN\r\n$11\r\nk0000000299\r\n".getBytes(StandardCharsets.US_ASCII));
            value.write(socket.getInputStream().readNBytes(":108\r\n".length()));
        }
        assertThat(value.toString(StandardCharsets.US_ASCII)).as("the value is py_db's document").isEqualTo(":108\r\n");
    }

    @Test
    void missingKeysAreCountedAsNotFoundAtAnyPipelineDepth() throws Exception {
        for (String pipeline : new String[] {"1", "16"}) {
            Run run = run("-c", "2", "-P", pipeline, "-r", "50", "-n", "320", "--no-preload");

            assertThat(run.exitCode()).as(run.err()).isEqualTo(PydbBench.EXIT_ERRORS);
            assertThat(run.summary().path("requests").asLong()).isEqualTo(320);
            assertThat(run.summary().path("errors").asLong()).isEqualTo(320);
            assertThat(run.summary().path("error_codes").path("NOT_FOUND").asLong()).isEqualTo(320);
        }
    }

    @Test
    void errorRepliesAreCountedByTheirCode() throws Exception {
        command("*3\r\n$5\r\nRPUSH\r\n$11\r\nk0000000000\r\n$1\r\nx\r\n");

        Run run = run("-c", "1", "-P", "4", "-r", "1", "-n", "10", "--no-preload");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(PydbBench.EXIT_ERRORS);
        assertThat(run.summary().path("error_codes").path("WRONGTYPE").asLong()).isEqualTo(10);
    }

    @Test
    void operationsOtherThanGetAndPutAreUsageErrors() throws Exception {
        Run run = run("--mix", "get=50,batch=50", "-n", "10");

        assertThat(run.exitCode()).isEqualTo(PydbBench.EXIT_USAGE);
        assertThat(run.err()).contains("--target redis supports only the operations [GET, PUT]");
    }
}
