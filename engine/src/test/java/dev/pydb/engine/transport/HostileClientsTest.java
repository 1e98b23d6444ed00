package dev.pydb.engine.transport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pydb.engine.config.PreAuthConfig;
import dev.pydb.engine.config.ServerConfig;
import dev.pydb.engine.config.TlsConfig;
import dev.pydb.engine.session.Session;
import dev.pydb.engine.stats.ServerStats;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Clients that try to exhaust the server: big frames before login, slow senders, readers that
 * never read. One subclass per transport.
 */
abstract class HostileClientsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ServerStats stats = new ServerStats(Clock.systemUTC());
    private final List<Transport> servers = new ArrayList<>();

    @AfterEach
    void stopServers() {
        servers.forEach(server -> server.stop(Duration.ofSeconds(2)));
    }

    @Test
    void beforeAuthenticationFramesAreLimitedToTheUnauthenticatedLength() throws IOException {
        Transport server = start(config(100_000, 1000, 30), new LoginEchoProcessor());
        String big = "x".repeat(5000);

        try (FrameClient client = new FrameClient(server.port())) {
            String reply = client.call(big);
            assertThat(JSON.readTree(reply).at("/error/code").asText()).isEqualTo("FRAME_TOO_LARGE");
            assertThat(JSON.readTree(reply).at("/error/message").asText()).contains("max_unauthenticated_query_length (1000)");
            assertThat(client.closedByServer()).isTrue();
        }
        try (FrameClient client = new FrameClient(server.port())) {
            assertThat(client.call("x".repeat(1000))).as("exactly the limit").hasSize(1000);
            assertThat(client.call("login")).isEqualTo("logged in");
            assertThat(client.call(big)).as("after login the full limit applies").isEqualTo(big);
        }
    }

    @Test
    void aClientSendingOneBytePerSecondIsClosedByTheFrameTimeoutWhileFiftyOthersAreServed() throws Exception {
        Transport server = start(config(100_000, 100_000, 2), new LoginEchoProcessor());
        try (Socket slow = new Socket(InetAddress.getLoopbackAddress(), server.port());
             ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            slow.setSoTimeout(10_000);
            CompletableFuture<Integer> slowBytesSent = CompletableFuture.supplyAsync(() -> dripOneBytePerSecond(slow));
            AtomicInteger errors = new AtomicInteger();
            List<Future<?>> normal = new ArrayList<>();
            for (int c = 0; c < 50; c++) {
                int clientNumber = c;
                normal.add(clients.submit(() -> {
                    try (FrameClient client = new FrameClient(server.port())) {
                        for (int i = 0; i < 40; i++) {
                            String body = "client " + clientNumber + " request " + i;
                            if (!client.call(body).equals(body)) {
                                errors.incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : normal) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertThat(errors).hasValue(0);
            assertThat(slowBytesSent.get(20, TimeUnit.SECONDS)).as("bytes the slow client got out before it was cut off")
                    .isBetween(1, 6);
            assertThat(slow.getInputStream().read()).as("closed by the server").isEqualTo(-1);
        }
    }

    @Test
    void aClientThatPipelinesTenThousandRequestsAndNeverReadsIsHeldBackAndOthersAreUnaffected() throws Exception {
        AtomicLong processed = new AtomicLong();
        byte[] bigResponse = new byte[10 * 1024];
        Arrays.fill(bigResponse, (byte) 'r');
        RequestProcessor processor = (session, body) -> {
            if (new String(body, UTF_8).startsWith("flood")) {
                processed.incrementAndGet();
                return bigResponse;
            }
            return body;
        };
        Transport server = start(config(100_000, 100_000, 30), processor);
        int requests = 10_000;
        byte[] frames = FrameClient.frames(java.util.stream.IntStream.range(0, requests)
                .mapToObj(i -> "flood " + i).toList());

        try (Socket flooder = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            OutputStream out = flooder.getOutputStream();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    out.write(frames);
                    out.flush();
                } catch (IOException e) {
                    // Closed at the end of the test.
                }
            });
            // The server answers until the socket buffers are full, then it stops reading.
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        long before = processed.get();
                        Thread.sleep(300);
                        return before > 0 && processed.get() == before;
                    });
            long stalledAt = processed.get();
            assertThat(stalledAt).as("requests processed while the client reads nothing").isLessThan(requests / 2);
            // Responses held server-side: about 64 KiB of output plus kernel buffers, not 10 000 x 10 KiB.
            try (FrameClient other = new FrameClient(server.port())) {
                assertThat(other.call("hello")).isEqualTo("hello");
            }
            assertThat(processed.get()).isEqualTo(stalledAt);

            // Once the client reads, every response arrives, in order.
            FrameClient reader = new FrameClient(flooder);
            for (int i = 0; i < requests; i++) {
                assertThat(reader.readFrame()).hasSize(bigResponse.length);
            }
            assertThat(processed.get()).isEqualTo(requests);
            writer.join(Duration.ofSeconds(10));
        }
    }

    private static int dripOneBytePerSecond(Socket socket) {
        byte[] frame = "QUERY_LENGTH: 100\r\n\r\n".getBytes(UTF_8);
        int sent = 0;
        try {
            OutputStream out = socket.getOutputStream();
            for (byte b : frame) {
                out.write(b);
                out.flush();
                sent++;
                Thread.sleep(1000);
            }
        } catch (IOException e) {
            return sent;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return sent;
    }

    /** The transport under test, not started. */
    protected abstract Transport newTransport(ServerConfig config, RequestProcessor processor, ServerStats stats);

    private Transport start(ServerConfig config, RequestProcessor processor) {
        Transport server = newTransport(config, processor, stats);
        servers.add(server);
        server.start();
        return server;
    }

    private static ServerConfig config(int maxQueryLength, int maxUnauthenticated, int frameTimeoutSeconds) {
        // 51 clients from one address that never log in: the pre-authentication limits are PreAuthTest's.
        return new ServerConfig("127.0.0.1", 0, 200, maxQueryLength, Math.min(maxQueryLength, 1024 * 1024), 1000,
                30, frameTimeoutSeconds, maxUnauthenticated, false, TlsConfig.DISABLED)
                .withPreAuth(new PreAuthConfig(200, 200, 30));
    }

    /** Echoes bodies; the body {@code login} marks the session authenticated, as a successful LOGIN does. */
    static final class LoginEchoProcessor implements RequestProcessor {
        @Override
        public byte[] process(Session session, byte[] body) {
            if (new String(body, UTF_8).equals("login")) {
                session.bindToken("t");
                return "logged in".getBytes(UTF_8);
            }
            return body;
        }
    }
}
