package dev.pydb.engine.transport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pydb.engine.config.PreAuthConfig;
import dev.pydb.engine.config.ServerConfig;
import dev.pydb.engine.session.Session;
import dev.pydb.engine.stats.ServerStats;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The behaviour every transport keeps, whatever its I/O model: one subclass per transport.
 */
abstract class TransportBehaviourTest {
    private static final int MAX_QUERY_LENGTH = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    protected final ServerStats stats = new ServerStats(Clock.systemUTC());
    private final List<Transport> servers = new ArrayList<>();
    private final CountDownLatch releaseSlowRequests = new CountDownLatch(1);

    @AfterEach
    void stopServers() {
        releaseSlowRequests.countDown();
        servers.forEach(server -> server.stop(Duration.ofSeconds(2)));
    }

    @Test
    void answersThreeHundredPipelinedRequestsSentInOneWriteInOrder() throws IOException {
        Transport server = start(config(10, 30, 30), new UppercaseProcessor());
        List<String> requests = IntStream.range(0, 300).mapToObj(i -> "{\"n\":" + i + "}").toList();

        try (FrameClient client = connect(server.port())) {
            client.sendRaw(FrameClient.frames(requests));
            for (int i = 0; i < 300; i++) {
                assertThat(client.readFrame()).isEqualTo("{\"N\":" + i + "}");
            }
        }
    }

    @Test
    void servesManyRequestsOnOneConnectionAndEmptyBodies() throws IOException {
        Transport server = start(config(10, 30, 30), new UppercaseProcessor());

        try (FrameClient client = connect(server.port())) {
            assertThat(client.call("ping")).isEqualTo("PING");
            assertThat(client.call("")).isEqualTo("");
            assertThat(client.call("é")).isEqualTo("É");
        }
    }

    @Test
    void passesOneSessionPerConnectionWithTheRemoteAddress() throws IOException {
        RecordingProcessor processor = new RecordingProcessor();
        Transport server = start(config(10, 30, 30), processor);

        try (FrameClient first = connect(server.port()); FrameClient second = connect(server.port())) {
            first.call("a");
            first.call("b");
            second.call("c");
        }

        List<Session> sessions = processor.calls.stream().map(Call::session).toList();
        assertThat(sessions.get(0)).isSameAs(sessions.get(1)).isNotSameAs(sessions.get(2));
        assertThat(sessions.get(0).remoteAddress()).startsWith("127.0.0.1:");
    }

    @Test
    void badFrameIsAnsweredAfterEarlierFramesThenTheConnectionIsClosedWhileOthersKeepWorking() throws IOException {
        Transport server = start(config(10, 30, 30), new UppercaseProcessor());

        try (FrameClient healthy = connect(server.port()); FrameClient broken = connect(server.port())) {
            assertThat(healthy.call("before")).isEqualTo("BEFORE");

            broken.sendRaw("QUERY_LENGTH: 2\r\n\r\nokQUERY_LENGTH: -1\r\n\r\nmore garbage after the error");

            assertThat(broken.readFrame()).isEqualTo("OK");
            JsonNode error = JSON.readTree(broken.readFrame());
            assertThat(error.path("ok").asBoolean(true)).isFalse();
            assertThat(error.path("error").path("code").asText()).isEqualTo("BAD_FRAME");
            assertThat(error.path("error").path("message").asText()).isNotBlank();
            assertThat(broken.closedByServer()).isTrue();
            assertThat(healthy.call("after")).isEqualTo("AFTER");
        }
    }

    @Test
    void binaryGarbageIsBadFrame() throws IOException {
        Transport server = start(config(10, 30, 30), new UppercaseProcessor());

        try (FrameClient client = connect(server.port())) {
            client.sendRaw(new byte[] {0, 1, 2, (byte) 0xff, 0});

            assertThat(errorCode(client.readFrame())).isEqualTo("BAD_FRAME");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void aHundredKilobyteHeaderWithoutTerminatorIsBadFrame() throws IOException {
        Transport server = start(config(10, 30, 30), new UppercaseProcessor());

        try (FrameClient client = connect(server.port())) {
            client.sendRaw("QUERY_LENGTH:" + " ".repeat(100 * 1024));

            assertThat(errorCode(client.readFrame())).isEqualTo("BAD_FRAME");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void aRequestSentByteByByteIsServed() throws IOException {
        Transport server = start(config(10, 30, 30), new UppercaseProcessor());

        try (FrameClient client = connect(server.port())) {
            for (byte b : FrameClient.frames(List.of("{\"a\":1}", "{\"b\":2}"))) {
                client.sendRaw(new byte[] {b});
            }

            assertThat(client.readFrame()).isEqualTo("{\"A\":1}");
            assertThat(client.readFrame()).isEqualTo("{\"B\":2}");
        }
    }

    @Test
    void answersEveryRequestOfAClientThatHalfClosesAfterSending() throws IOException {
        Transport server = start(config(10, 30, 30), new UppercaseProcessor());

        try (FrameClient client = connect(server.port())) {
            client.sendRaw(FrameClient.frames(List.of("x", "y", "z"))).shutdownOutput();

            assertThat(List.of(client.readFrame(), client.readFrame(), client.readFrame())).containsExactly("X", "Y", "Z");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void frameTooLargeIsAnsweredBeforeTheBodyIsSentThenTheConnectionIsClosed() throws IOException {
        RecordingProcessor processor = new RecordingProcessor();
        Transport server = start(config(10, 30, 30), processor);

        try (FrameClient healthy = connect(server.port()); FrameClient client = connect(server.port())) {
            client.sendRaw("QUERY_LENGTH: " + (MAX_QUERY_LENGTH + 1) + "\r\n\r\n");

            JsonNode error = JSON.readTree(client.readFrame());
            assertThat(error.path("error").path("code").asText()).isEqualTo("FRAME_TOO_LARGE");
            assertThat(error.path("error").path("message").asText()).contains("max_query_length");
            assertThat(client.closedByServer()).isTrue();
            assertThat(healthy.call("still here")).isEqualTo("still here");
        }
        assertThat(processor.bodies()).containsExactly("still here");
    }

    @Test
    void aBodyExactlyAtTheLimitIsServed() throws IOException {
        Transport server = start(config(10, 30, 30), new UppercaseProcessor());

        try (FrameClient client = connect(server.port())) {
            assertThat(client.call("x".repeat(MAX_QUERY_LENGTH))).isEqualTo("X".repeat(MAX_QUERY_LENGTH));
        }
    }

    @Test
    void aConnectionClosedMidFrameIsDroppedWithoutProcessingTheRequest() throws IOException {
        RecordingProcessor processor = new RecordingProcessor();
        Transport server = start(config(10, 30, 30), processor);

        try (FrameClient client = connect(server.port())) {
            assertThat(client.call("complete")).isEqualTo("complete");
            client.sendRaw("QUERY_LENGTH: 50\r\n\r\n{\"action\": \"PUT\"");
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> stats.openConnections() == 0);
        assertThat(processor.bodies()).containsExactly("complete");
        assertThat(stats.totalConnections()).isEqualTo(1);
    }

    @Test
    void refusesConnectionsOverMaxConnectionsWithAnErrorFrameAndKeepsServingTheOthers() throws IOException {
        Transport server = start(config(2, 30, 30), new UppercaseProcessor());

        try (FrameClient first = connect(server.port()); FrameClient second = connect(server.port())) {
            assertThat(first.call("one")).isEqualTo("ONE");
            assertThat(second.call("two")).isEqualTo("TWO");

            try (FrameClient third = connect(server.port())) {
                third.send("refused?");
                JsonNode error = JSON.readTree(third.readFrame());
                assertThat(error.path("ok").asBoolean(true)).isFalse();
                assertThat(error.path("error").path("code").asText()).isEqualTo("UNAVAILABLE");
                assertThat(error.path("error").path("message").asText())
                        .isEqualTo("too many connections (max_connections=2)");
                assertThat(third.closedByServer()).isTrue();
            }
            assertThat(first.call("still one")).isEqualTo("STILL ONE");
            assertThat(second.call("still two")).isEqualTo("STILL TWO");
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> stats.openConnections() == 0);
        try (FrameClient later = connect(server.port())) {
            assertThat(later.call("later")).isEqualTo("LATER");
        }
    }

    @Test
    void closesAConnectionThatStaysIdle() throws IOException {
        Transport server = start(config(10, 1, 30), new UppercaseProcessor());

        try (FrameClient client = connect(server.port())) {
            assertThat(client.call("hi")).isEqualTo("HI");
            long start = System.nanoTime();

            assertThat(client.closedByServer()).isTrue();

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
        }
    }

    @Test
    void closesASlowlorisClientAtTheFrameDeadlineEvenThoughBytesKeepArriving() throws Exception {
        Transport server = start(config(10, 30, 1), new UppercaseProcessor());
        byte[] header = "QUERY_LENGTH: 5\r\n\r\nhello".getBytes(UTF_8);

        try (Socket socket = openSocket(server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            CompletableFuture<Void> trickle = CompletableFuture.runAsync(() -> {
                try {
                    for (byte b : header) {
                        out.write(b);
                        out.flush();
                        TimeUnit.MILLISECONDS.sleep(200); // the slow client being simulated
                    }
                } catch (IOException | InterruptedException e) {
                    // The server closed the connection, as it should.
                }
            });
            long start = System.nanoTime();

            int read = readOrReset(socket);

            assertThat(read).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(800), Duration.ofSeconds(3));
            assertThat(trickle).isNotDone();
        }
    }

    @Test
    void aProcessorThatThrowsClosesOnlyItsConnection() throws IOException {
        Transport server = start(config(10, 30, 30), new ThrowingProcessor());

        try (FrameClient healthy = connect(server.port()); FrameClient victim = connect(server.port())) {
            assertThat(healthy.call("fine")).isEqualTo("fine");
            victim.send("first").readFrame();

            victim.send("boom");

            assertThat(victim.closedByServer()).isTrue();
            assertThat(healthy.call("still fine")).isEqualTo("still fine");
        }
        try (FrameClient newcomer = connect(server.port())) {
            assertThat(newcomer.call("new")).isEqualTo("new");
        }
    }

    @Test
    void aProcessorThatReturnsNullClosesOnlyItsConnectionAfterEarlierResponses() throws IOException {
        RequestProcessor returnsNullOnNull = (session, body) ->
                new String(body, UTF_8).equals("null") ? null : body;
        Transport server = start(config(10, 30, 30), returnsNullOnNull);

        try (FrameClient client = connect(server.port())) {
            client.sendRaw(FrameClient.frames(List.of("a", "null", "never answered")));

            assertThat(client.readFrame()).isEqualTo("a");
            assertThat(client.closedByServer()).isTrue();
        }
        try (FrameClient other = connect(server.port())) {
            assertThat(other.call("b")).isEqualTo("b");
        }
    }

    @Test
    void gracefulStopDeliversTheResponseOfAnInFlightRequestAndClosesIdleConnections() throws Exception {
        SlowProcessor processor = new SlowProcessor(releaseSlowRequests);
        Transport server = start(config(10, 30, 30), processor);

        try (FrameClient busy = connect(server.port()); FrameClient idle = connect(server.port())) {
            assertThat(idle.call("fast")).isEqualTo("fast");
            busy.send("slow");
            assertThat(processor.entered.await(5, TimeUnit.SECONDS)).isTrue();

            CompletableFuture<Void> stop = CompletableFuture.runAsync(() -> server.stop(Duration.ofSeconds(10)));

            assertThat(idle.closedByServer()).isTrue();
            assertThat(stop).isNotDone();
            releaseSlowRequests.countDown();
            assertThat(busy.readFrame()).isEqualTo("slow");
            assertThat(busy.closedByServer()).isTrue();
            stop.get(5, TimeUnit.SECONDS);
        }
        assertThat(stats.openConnections()).isZero();
        assertThatThrownBy(() -> openSocket(server.port()))
                .isInstanceOf(ConnectException.class);
    }

    @Test
    void stopClosesConnectionsThatOutliveTheGracePeriod() throws Exception {
        SlowProcessor processor = new SlowProcessor(releaseSlowRequests);
        Transport server = start(config(10, 30, 30), processor);

        try (FrameClient stuck = connect(server.port())) {
            stuck.send("slow");
            assertThat(processor.entered.await(5, TimeUnit.SECONDS)).isTrue();
            long start = System.nanoTime();

            server.stop(Duration.ofMillis(300));

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            assertThat(stuck.closedByServer()).isTrue();
        }
    }

    @Test
    void countsConnectionsAndLogsOneLineWhenEachOpensAndCloses() throws IOException {
        ListAppender<ILoggingEvent> logs = captureLogs();
        Transport server = start(config(10, 30, 30), new UppercaseProcessor());

        try (FrameClient client = connect(server.port())) {
            client.call("one");
            client.call("two");
            assertThat(stats.openConnections()).isEqualTo(1);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> stats.openConnections() == 0);

        assertThat(stats.totalConnections()).isEqualTo(1);
        List<String> lines = logs.list.stream().filter(e -> e.getLevel() == Level.INFO)
                .map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(lines).filteredOn(line -> line.startsWith("connection opened")).singleElement().asString()
                .contains("remote=127.0.0.1:");
        assertThat(lines).filteredOn(line -> line.startsWith("connection closed")).singleElement().asString()
                .contains("requests=2").contains("reason=client closed").contains("duration=");
        detach(logs);
    }

    @Test
    void lifecycleRulesAreEnforced() throws IOException {
        Transport server = newTransport(config(10, 30, 30), new UppercaseProcessor(), stats);
        assertThatThrownBy(server::port).isInstanceOf(IllegalStateException.class);
        servers.add(server);
        server.start();
        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
        assertThat(server.port()).isPositive();

        server.close();
        server.close();
        server.stop(Duration.ZERO);
    }

    @Test
    void rejectsTimeoutsThatWouldHoldAThreadForever() {
        assertThatThrownBy(() -> newTransport(config(10, 0, 30), new UppercaseProcessor(), stats))
                .hasMessageContaining("server.idle_timeout_seconds");
        assertThatThrownBy(() -> newTransport(config(10, 30, 0), new UppercaseProcessor(), stats))
                .hasMessageContaining("server.frame_timeout_seconds");
    }

    @Test
    void startFailsClearlyWhenThePortIsTaken() throws IOException {
        Transport first = start(config(10, 30, 30), new UppercaseProcessor());
        ServerConfig samePort = new ServerConfig("127.0.0.1", first.port(), 10, MAX_QUERY_LENGTH,
                1024 * 1024, 1000, 30, 30);
        Transport second = newTransport(samePort, new UppercaseProcessor(), stats);
        servers.add(second);

        assertThatThrownBy(second::start).isInstanceOf(java.io.UncheckedIOException.class)
                .hasMessageContaining("cannot listen on 127.0.0.1:" + first.port());
    }

    /** The transport under test, not started. */
    protected abstract Transport newTransport(ServerConfig config, RequestProcessor processor, ServerStats stats);

    /** A client connected to the transport under test (a TLS one over TLS). */
    protected FrameClient connect(int port) throws IOException {
        return new FrameClient(openSocket(port));
    }

    /** A raw socket connected to the transport under test. */
    protected Socket openSocket(int port) throws IOException {
        return new Socket(InetAddress.getLoopbackAddress(), port);
    }

    protected final Transport start(ServerConfig config, RequestProcessor processor) {
        return startTransport(newTransport(config, processor, stats));
    }

    /** Starts {@code server} and stops it after the test. */
    protected final Transport startTransport(Transport server) {
        servers.add(server);
        server.start();
        return server;
    }

    /** A configuration whose pre-authentication limits are out of the way (PreAuthTest tests those). */
    protected static ServerConfig config(int maxConnections, int idleTimeoutSeconds, int frameTimeoutSeconds) {
        ServerConfig config = new ServerConfig("127.0.0.1", 0, maxConnections, MAX_QUERY_LENGTH, 1024 * 1024, 1000,
                idleTimeoutSeconds, frameTimeoutSeconds);
        return maxConnections > 0 && idleTimeoutSeconds > 0
                ? config.withPreAuth(new PreAuthConfig(maxConnections, maxConnections, idleTimeoutSeconds))
                : config;
    }

    private static String errorCode(String body) throws IOException {
        return JSON.readTree(body).path("error").path("code").asText();
    }

    private static int readOrReset(Socket socket) throws IOException {
        try {
            return socket.getInputStream().read();
        } catch (java.net.SocketException e) {
            return -1;
        }
    }

    private static final List<Class<?>> CONNECTION_LOGGERS = List.of(NioConnection.class);

    private static ListAppender<ILoggingEvent> captureLogs() {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        CONNECTION_LOGGERS.forEach(type -> ((Logger) LoggerFactory.getLogger(type)).addAppender(appender));
        return appender;
    }

    private static void detach(ListAppender<ILoggingEvent> appender) {
        CONNECTION_LOGGERS.forEach(type -> ((Logger) LoggerFactory.getLogger(type)).detachAppender(appender));
    }

    /** Answers each body upper-cased. */
    static final class UppercaseProcessor implements RequestProcessor {
        @Override
        public byte[] process(Session session, byte[] body) {
            return new String(body, UTF_8).toUpperCase(Locale.ROOT).getBytes(UTF_8);
        }
    }

    private record Call(Session session, String body) {}

    /** Echoes each body and remembers every call. */
    private static final class RecordingProcessor implements RequestProcessor {
        final Queue<Call> calls = new ConcurrentLinkedQueue<>();

        @Override
        public byte[] process(Session session, byte[] body) {
            calls.add(new Call(session, new String(body, UTF_8)));
            return body;
        }

        List<String> bodies() {
            return calls.stream().map(Call::body).toList();
        }
    }

    /** Echoes, but throws on "boom": a processor with a bug. */
    private static final class ThrowingProcessor implements RequestProcessor {
        @Override
        public byte[] process(Session session, byte[] body) {
            if (new String(body, UTF_8).equals("boom")) {
                throw new IllegalStateException("a bug in the processor");
            }
            return body;
        }
    }

    /** Echoes; "slow" blocks until released. */
    private static final class SlowProcessor implements RequestProcessor {
        final CountDownLatch entered = new CountDownLatch(1);
        private final CountDownLatch release;

        SlowProcessor(CountDownLatch release) {
            this.release = release;
        }

        @Override
        public byte[] process(Session session, byte[] body) {
            if (new String(body, UTF_8).equals("slow")) {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return body;
        }
    }
}
