package dev.pydb.engine.transport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pydb.engine.config.MemoryConfig;
import dev.pydb.engine.config.ServerConfig;
import dev.pydb.engine.session.Session;
import dev.pydb.engine.stats.ServerStats;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The memory budget ({@code server.max_request_memory}) on a transport: back-pressure while a
 * frame's memory is not free, {@code LIMIT_EXCEEDED} when it waited too long or can never fit,
 * a body whose tree would be too costly, and failures that close only their connection.
 */
abstract class TransportMemoryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_QUERY_LENGTH = 1024 * 1024;
    private static final int BIG = 600_000;
    /** Room for one frame of {@link #BIG} bytes (of plain text) and small ones, not for two big ones. */
    private static final long BUDGET = RequestCost.ofFrame(BIG) + 64 * 1024;

    protected final ServerStats stats = new ServerStats(Clock.systemUTC());
    private final List<Transport> servers = new ArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stopServers() {
        release.countDown();
        servers.forEach(server -> server.stop(Duration.ofSeconds(2)));
    }

    protected abstract Transport newTransport(ServerConfig config, RequestProcessor processor, ServerStats stats);

    @Test
    void aFrameWhoseMemoryIsTakenWaitsWithoutReadingAndIsServedOnceMemoryIsFreed() throws Exception {
        Transport server = start(config(BUDGET, 30), new LengthProcessor(release));
        String big = "x".repeat(BIG);

        try (FrameClient holder = new FrameClient(server.port()); FrameClient waiter = new FrameClient(server.port())) {
            holder.send("hold " + big.substring(5));
            await().atMost(Duration.ofSeconds(5)).until(() -> stats.memoryUsed() >= RequestCost.ofFrame(BIG));

            CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> call(waiter, big));
            await().atMost(Duration.ofSeconds(5)).until(() -> stats.memoryWaits() >= 1);
            assertThat(second).isNotDone();
            try (FrameClient small = new FrameClient(server.port())) {
                assertThat(small.call("small")).isEqualTo("length 5");
            }

            release.countDown();
            assertThat(holder.readFrame()).isEqualTo("length " + BIG);
            assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("length " + BIG);
        }
        assertThat(stats.memoryRefusals()).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> stats.memoryUsed() == 0);
        assertThat(stats.memoryPeak()).isLessThanOrEqualTo(BUDGET);
    }

    @Test
    void aFrameThatWaitedTheFrameTimeoutForMemoryIsRefusedWithLimitExceededAndItsConnectionClosed() throws Exception {
        Transport server = start(config(BUDGET, 1), new LengthProcessor(release));
        String big = "x".repeat(BIG);

        try (FrameClient holder = new FrameClient(server.port()); FrameClient waiter = new FrameClient(server.port())) {
            holder.send("hold " + big.substring(5));
            await().atMost(Duration.ofSeconds(5)).until(() -> stats.memoryUsed() >= RequestCost.ofFrame(BIG));

            waiter.sendRaw("QUERY_LENGTH: " + BIG + "\r\n\r\n");
            JsonNode refusal = JSON.readTree(waiter.readFrame());

            assertThat(refusal.path("error").path("code").asText()).isEqualTo("LIMIT_EXCEEDED");
            assertThat(refusal.path("error").path("message").asText()).contains("request memory");
            assertThat(waiter.closedByServer()).isTrue();
            assertThat(stats.memoryRefusals()).isEqualTo(1);
            release.countDown();
            assertThat(holder.readFrame()).isEqualTo("length " + BIG);
        }
    }

    @Test
    void aFrameThatCanNeverFitIsRefusedAtOnceWithoutReadingItsBody() throws Exception {
        Transport server = start(config(RequestCost.ofFrame(BIG) / 2, 30), new LengthProcessor(release));

        try (FrameClient client = new FrameClient(server.port()); FrameClient other = new FrameClient(server.port())) {
            client.sendRaw("QUERY_LENGTH: " + BIG + "\r\n\r\n");
            JsonNode refusal = JSON.readTree(client.readFrame());

            assertThat(refusal.path("error").path("code").asText()).isEqualTo("LIMIT_EXCEEDED");
            assertThat(refusal.path("error").path("message").asText()).contains("server.max_request_memory");
            assertThat(client.closedByServer()).isTrue();
            assertThat(other.call("still served")).isEqualTo("length 12");
        }
        assertThat(stats.memoryRefusals()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> stats.memoryUsed() == 0);
    }

    @Test
    void aBodyWhoseParsedTreeWouldNotFitIsAnsweredLimitExceededAndTheConnectionStaysUsable() throws Exception {
        // 3,000 bytes of JSON but 2,000 objects and values: far more as a tree than as text.
        String manyObjects = "[" + "{},".repeat(999) + "{}]";
        long budget = RequestCost.ofFrame(manyObjects.length()) + 16 * 1024;
        assertThat(RequestCost.ofBody(manyObjects.getBytes(UTF_8))).isGreaterThan(budget);
        Transport server = start(config(budget, 30), new LengthProcessor(release));

        try (FrameClient client = new FrameClient(server.port())) {
            JsonNode refusal = JSON.readTree(client.call(manyObjects));

            assertThat(refusal.path("error").path("code").asText()).isEqualTo("LIMIT_EXCEEDED");
            assertThat(client.call("next")).isEqualTo("length 4");
        }
        assertThat(stats.memoryRefusals()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> stats.memoryUsed() == 0);
    }

    @Test
    void anErrorThrownByTheProcessorGivesInternalWithAnIncidentAndClosesOnlyThatConnection() throws Exception {
        RequestProcessor processor = (session, body) -> {
            if (new String(body, UTF_8).equals("oom")) {
                throw new OutOfMemoryError("Java heap space (thrown by the test)");
            }
            return body;
        };
        Transport server = start(config(BUDGET, 30), processor);

        try (FrameClient victim = new FrameClient(server.port()); FrameClient healthy = new FrameClient(server.port())) {
            victim.send("oom");
            TransportBehaviourTest.assertInternalWithIncident(victim.readFrame());
            assertThat(victim.closedByServer()).isTrue();
            assertThat(healthy.call("fine")).isEqualTo("fine");
        }
        for (int i = 0; i < 3; i++) {
            try (FrameClient fresh = new FrameClient(server.port())) {
                assertThat(fresh.call("fresh " + i)).isEqualTo("fresh " + i);
            }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> stats.memoryUsed() == 0);
    }

    protected final Transport start(ServerConfig config, RequestProcessor processor) {
        Transport server = newTransport(config, processor, stats);
        servers.add(server);
        server.start();
        return server;
    }

    protected static ServerConfig config(long budget, int frameTimeoutSeconds) {
        return config(budget, MemoryConfig.DEFAULT_MAX_OUTPUT_BYTES_PER_CONNECTION, frameTimeoutSeconds);
    }

    protected static ServerConfig config(long budget, long maxOutputBytes, int frameTimeoutSeconds) {
        return new ServerConfig("127.0.0.1", 0, 100, MAX_QUERY_LENGTH, 1024 * 1024, 1000, 30, frameTimeoutSeconds,
                MAX_QUERY_LENGTH, false, dev.pydb.engine.config.TlsConfig.DISABLED)
                .withMemory(new MemoryConfig(budget, maxOutputBytes));
    }

    private static String call(FrameClient client, String body) {
        try {
            return client.call(body);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Answers "length N"; a body starting with "hold" waits for {@code release} first. */
    private static final class LengthProcessor implements RequestProcessor {
        private final CountDownLatch release;

        LengthProcessor(CountDownLatch release) {
            this.release = release;
        }

        @Override
        public byte[] process(Session session, byte[] body) {
            if (body.length >= 4 && new String(body, 0, 4, UTF_8).equals("hold")) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return ("length " + body.length).getBytes(UTF_8);
        }
    }
}
