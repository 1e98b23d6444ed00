package dev.pydb.engine.transport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pydb.engine.config.ServerConfig;
import dev.pydb.engine.config.TlsConfig;
import dev.pydb.engine.session.Session;
import dev.pydb.engine.stats.ServerStats;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The transport behaviour of the {@link NioTcpServer}, plus what only event loops have: inline vs worker requests. */
class NioTcpServerTest extends TransportBehaviourTest {
    private final SplitProcessor split = new SplitProcessor();

    @Override
    protected Transport newTransport(ServerConfig config, RequestProcessor processor, ServerStats stats) {
        return new NioTcpServer(config, processor, stats, 2);
    }

    @AfterEach
    void releaseBlockedRequests() {
        split.release.countDown();
    }

    @Test
    void requestsPipelinedBehindABlockingOneWaitForItAndAreAnsweredInOrder() throws IOException, InterruptedException {
        Transport server = startWithOneLoop(split);

        try (FrameClient client = new FrameClient(server.port()); FrameClient other = new FrameClient(server.port())) {
            client.sendRaw(FrameClient.frames(List.of("slow 1", "fast a", "slow 2", "fast b")));
            assertThat(split.entered.await(5, TimeUnit.SECONDS)).isTrue();
            // A round trip on the same loop: the loop has been through its selector since "slow 1" left it.
            assertThat(other.call("fast other")).isEqualTo("FAST OTHER");
            assertThat(split.prepared).as("prepared on the first connection so far")
                    .containsExactly("slow 1", "fast other");

            split.release.countDown();

            assertThat(List.of(client.readFrame(), client.readFrame(), client.readFrame(), client.readFrame()))
                    .containsExactly("SLOW 1", "FAST A", "SLOW 2", "FAST B");
            assertThat(split.executed).containsExactly("fast other", "slow 1", "fast a", "slow 2", "fast b");
        }
    }

    @Test
    void aBlockingRequestOnOneConnectionDoesNotDelayAnotherConnectionsInlineRequest() throws Exception {
        Transport server = startWithOneLoop(split);

        try (FrameClient blocked = new FrameClient(server.port()); FrameClient reader = new FrameClient(server.port())) {
            blocked.send("slow");
            assertThat(split.entered.await(5, TimeUnit.SECONDS)).isTrue();

            for (int i = 0; i < 100; i++) {
                assertThat(reader.call("fast " + i)).isEqualTo("FAST " + i);
            }
            assertThat(split.executed).doesNotContain("slow");

            split.release.countDown();
            assertThat(blocked.readFrame()).isEqualTo("SLOW");
        }
    }

    @Test
    void inlineRequestsRunOnTheEventLoopAndBlockingOnesOnVirtualWorkers() throws IOException {
        split.release.countDown();
        Transport server = startWithOneLoop(split);

        try (FrameClient client = new FrameClient(server.port())) {
            assertThat(client.call("fast")).isEqualTo("FAST");
            assertThat(client.call("slow")).isEqualTo("SLOW");
        }
        assertThat(split.threads.get("fast")).startsWith("pydb-loop-");
        assertThat(split.threads.get("slow")).startsWith("pydb-worker-");
    }

    @Test
    void aLoginOnAWorkerRaisesTheFrameLimitForTheFramePipelinedBehindIt() throws IOException {
        Transport server = start(new ServerConfig("127.0.0.1", 0, 10, 100_000, 1024 * 1024, 1000, 30, 30, 1000, false,
                TlsConfig.DISABLED), new HostileClientsTest.LoginEchoProcessor());
        String big = "x".repeat(5000);

        try (FrameClient client = new FrameClient(server.port())) {
            client.sendRaw(FrameClient.frames(List.of("login", big)));

            assertThat(client.readFrame()).isEqualTo("logged in");
            assertThat(client.readFrame()).isEqualTo(big);
        }
    }

    @Test
    void aPrepareThatThrowsClosesOnlyItsConnectionAfterTheEarlierResponses() throws IOException {
        Transport server = startWithOneLoop(split);

        try (FrameClient victim = new FrameClient(server.port()); FrameClient healthy = new FrameClient(server.port())) {
            victim.sendRaw(FrameClient.frames(List.of("fast 1", "throw", "fast 2")));

            assertThat(victim.readFrame()).isEqualTo("FAST 1");
            assertThat(victim.closedByServer()).isTrue();
            assertThat(healthy.call("fast 3")).isEqualTo("FAST 3");
        }
        assertThat(split.prepared).doesNotContain("fast 2");
    }

    @Test
    void gracefulStopAnswersTheRequestsQueuedBehindABlockingOneBeforeClosing() throws Exception {
        Transport server = startWithOneLoop(split);

        try (FrameClient client = new FrameClient(server.port())) {
            client.sendRaw(FrameClient.frames(List.of("slow", "fast after")));
            assertThat(split.entered.await(5, TimeUnit.SECONDS)).isTrue();

            CompletableFuture<Void> stop = CompletableFuture.runAsync(() -> server.stop(Duration.ofSeconds(10)));
            split.release.countDown();

            assertThat(client.readFrame()).isEqualTo("SLOW");
            assertThat(client.readFrame()).isEqualTo("FAST AFTER");
            assertThat(client.closedByServer()).isTrue();
            stop.get(5, TimeUnit.SECONDS);
        }
        assertThat(stats.openConnections()).isZero();
    }

    private Transport startWithOneLoop(RequestProcessor processor) {
        NioTcpServer server = new NioTcpServer(config(10, 30, 30), processor, stats, 1);
        return startTransport(server);
    }

    /**
     * Bodies starting with "slow" may block (they wait for {@link #release}); the others are
     * answered on the spot; "throw" makes prepare throw. Answers upper-cased; records what it prepared and ran.
     */
    private static final class SplitProcessor implements RequestProcessor {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final Queue<String> prepared = new ConcurrentLinkedQueue<>();
        final Queue<String> executed = new ConcurrentLinkedQueue<>();
        final Map<String, String> threads = new ConcurrentHashMap<>();

        @Override
        public byte[] process(Session session, byte[] body) {
            return prepare(session, body).execute();
        }

        @Override
        public PreparedRequest prepare(Session session, byte[] body) {
            String text = new String(body, UTF_8);
            if (text.equals("throw")) {
                throw new IllegalStateException("a bug in prepare");
            }
            prepared.add(text);
            boolean slow = text.startsWith("slow");
            return new PreparedRequest() {
                @Override
                public boolean mayBlock() {
                    return slow;
                }

                @Override
                public byte[] execute() {
                    threads.put(text, Thread.currentThread().getName());
                    if (slow) {
                        entered.countDown();
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    executed.add(text);
                    return text.toUpperCase(Locale.ROOT).getBytes(UTF_8);
                }
            };
        }
    }
}
