package dev.pydb.engine.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.engine.auth.DefaultAuthenticator;
import dev.pydb.engine.codec.DecodeResult;
import dev.pydb.engine.codec.FrameDecoder;
import dev.pydb.engine.codec.FrameEncoder;
import dev.pydb.engine.config.EnvConfig;
import dev.pydb.engine.config.EnvConfigBinder;
import dev.pydb.engine.plugin.LoadedPlugin;
import dev.pydb.engine.plugin.PluginLoader;
import dev.pydb.storage.tck.memory.InMemoryStorageProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Load and soak, run by hand (tag {@code soak}, excluded from the default build):
 * {@code mvn -B -pl engine -am test -Dtest=SoakTest -Dsurefire.excludedGroups= -Dsurefire.failIfNoSpecifiedTests=false}
 * ({@code -Dsoak.seconds=60}, {@code -Dsoak.connections=2000}). Holds that many connections with
 * a mixed workload (PUT, GET, UPDATE, FIND, COUNT, PING, with think time; one database per
 * connection, because the in-memory fake storage copies a database on every write), then checks: no error
 * response, no dropped connection, heap and platform threads bounded, and one connection past
 * {@code max_connections} gets a clear {@code UNAVAILABLE} frame. Prints the measurements.
 * Client and server share this JVM, so heap and threads cover both.
 */
@Tag("soak")
class SoakTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CONNECTIONS = Integer.getInteger("soak.connections", 2000);
    private static final int SECONDS = Integer.getInteger("soak.seconds", 60);

    @TempDir
    Path home;

    @Test
    void holdsTheConnectionsUnderAMixedWorkload() throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        System.gc();
        long heapBefore = memory.getHeapMemoryUsage().getUsed();
        int threadsBefore = threads.getThreadCount();

        try (PydbServer server = start()) {
            String token;
            try (Socket admin = connect(server.port())) {
                token = call(admin, "{\"action\":\"LOGIN\",\"username\":\"admin\",\"password\":\"secret\"}")
                        .at("/result/token").asText();
                for (int c = 0; c < CONNECTIONS; c++) {
                    JsonNode created = call(admin, "{\"action\":\"CREATE_DB\",\"db\":\"soak" + c + "\",\"auth\":{\"token\":\""
                            + token + "\"}}");
                    assertThat(created.path("ok").asBoolean()).as(created.toString()).isTrue();
                }
            }
            List<Socket> sockets = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                sockets.add(connect(server.port()));
            }
            try (Socket extra = connect(server.port())) {
                JsonNode refusal = read(extra.getInputStream(), new FrameDecoder(1 << 20));
                assertThat(refusal.at("/error/code").asText()).isEqualTo("UNAVAILABLE");
                assertThat(refusal.at("/error/message").asText()).contains("max_connections=" + CONNECTIONS);
            }

            AtomicLong requests = new AtomicLong();
            AtomicInteger errors = new AtomicInteger();
            AtomicInteger dropped = new AtomicInteger();
            ConcurrentLinkedQueue<String> firstErrors = new ConcurrentLinkedQueue<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
            long heapPeak = 0;
            int threadsPeak = 0;
            CountDownLatch done = new CountDownLatch(CONNECTIONS);
            long started = System.nanoTime();
            try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int c = 0; c < CONNECTIONS; c++) {
                    Socket socket = sockets.get(c);
                    int client = c;
                    clients.submit(() -> {
                        try {
                            workload(socket, client, token, deadline, requests, errors, firstErrors);
                        } catch (IOException | RuntimeException e) {
                            dropped.incrementAndGet();
                            firstErrors.add("client " + client + ": " + e);
                        } finally {
                            done.countDown();
                        }
                    });
                }
                while (!done.await(1, TimeUnit.SECONDS)) {
                    heapPeak = Math.max(heapPeak, memory.getHeapMemoryUsage().getUsed());
                    threadsPeak = Math.max(threadsPeak, threads.getThreadCount());
                }
            }
            double elapsed = (System.nanoTime() - started) / 1e9;
            System.gc();
            long heapAfter = memory.getHeapMemoryUsage().getUsed();
            String report = String.format("soak: %d connections, %.1f s, %d requests, %.0f requests/s, errors %d, dropped %d, "
                            + "heap before %d MiB, peak %d MiB, after GC %d MiB, platform threads before %d, peak %d",
                    CONNECTIONS, elapsed, requests.get(), requests.get() / elapsed, errors.get(), dropped.get(),
                    heapBefore >> 20, heapPeak >> 20, heapAfter >> 20, threadsBefore, threadsPeak);
            System.out.println(report);
            System.err.println(report);
            for (Socket socket : sockets) {
                socket.close();
            }
            assertThat(firstErrors).as("first errors").isEmpty();
            assertThat(errors).hasValue(0);
            assertThat(dropped).hasValue(0);
            assertThat(threadsPeak - threadsBefore).as("platform threads added").isLessThan(100);
            assertThat(heapAfter - heapBefore).as("heap retained after the run").isLessThan(512L << 20);
        }
    }

    private static void workload(Socket socket, int client, String token, long deadline, AtomicLong requests,
            AtomicInteger errors, ConcurrentLinkedQueue<String> firstErrors) throws IOException {
        String auth = ",\"auth\":{\"token\":\"" + token + "\"}";
        FrameDecoder decoder = new FrameDecoder(1 << 24);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int n = 0;
        String db = "soak" + client;
        while (System.nanoTime() < deadline) {
            String key = "k" + (n / 6 % 20);
            String body = switch (n % 6) {
                case 0 -> "{\"action\":\"PUT\",\"db\":\"" + db + "\",\"key\":\"" + key + "\",\"doc\":{\"n\":" + n + ",\"c\":" + client + "}";
                case 1 -> "{\"action\":\"GET\",\"db\":\"" + db + "\",\"key\":\"" + key + "\"";
                case 2 -> "{\"action\":\"UPDATE\",\"db\":\"" + db + "\",\"key\":\"" + key + "\",\"patch\":{\"seen\":true}";
                case 3 -> "{\"action\":\"FIND\",\"db\":\"" + db + "\",\"filter\":{\"c\":" + client + "},\"limit\":5";
                case 4 -> "{\"action\":\"COUNT\",\"db\":\"" + db + "\",\"filter\":{\"n\":{\"$gte\":0}}";
                default -> "{\"action\":\"PING\"";
            };
            JsonNode reply = call(socket, body + auth + ",\"id\":" + n + "}", decoder);
            requests.incrementAndGet();
            if (!reply.path("ok").asBoolean() || reply.path("id").asInt(-1) != n) {
                if (errors.incrementAndGet() <= 5) {
                    firstErrors.add("client " + client + ": " + reply);
                }
            }
            n++;
            try {
                Thread.sleep(random.nextInt(50, 150));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(30_000);
        return socket;
    }

    private static JsonNode call(Socket socket, String body) throws IOException {
        return call(socket, body, new FrameDecoder(1 << 24));
    }

    private static JsonNode call(Socket socket, String body, FrameDecoder decoder) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(FrameEncoder.encode(body.getBytes(UTF_8)));
        out.flush();
        return read(socket.getInputStream(), decoder);
    }

    private static JsonNode read(InputStream in, FrameDecoder decoder) throws IOException {
        byte[] buffer = new byte[8192];
        ByteBuffer input = ByteBuffer.allocate(0);
        while (true) {
            DecodeResult result = decoder.decode(input);
            if (result instanceof DecodeResult.Frame frame) {
                if (input.hasRemaining()) {
                    throw new IOException("unexpected bytes after a response");
                }
                return JSON.readTree(frame.body());
            }
            if (result instanceof DecodeResult.Failed failed) {
                throw new IOException("bad frame from the server: " + failed.error());
            }
            int n = in.read(buffer);
            if (n < 0) {
                throw new IOException("connection closed by the server");
            }
            input = ByteBuffer.wrap(buffer, 0, n);
        }
    }

    private PydbServer start() throws IOException {
        EnvConfig config = EnvConfigBinder.bind((ObjectNode) JSON.readTree("""
                {"server": {"port": 0, "max_connections": %1$d, "max_unauthenticated_connections": %1$d,
                            "max_unauthenticated_connections_per_address": %1$d},
                 "storage": {"provider": "soak-memory"},
                 "auth": {"users": [{"username": "admin", "password": "secret", "roles": ["admin"]}]},
                 "logging": {"level": "WARN"}}
                """.formatted(CONNECTIONS)));
        InMemoryStorageProvider provider = new InMemoryStorageProvider("soak-memory");
        ServerComponents components = new ServerComponents(
                dir -> List.of(PluginLoader.classPath(), new LoadedPlugin("memory", dir.resolve("memory"), SoakTest.class.getClassLoader(),
                        List.of(provider), List.of())),
                DefaultAuthenticator::new, TransportFactory.production(), Clock.systemUTC(), Duration.ofSeconds(5));
        return PydbServer.start(config, home, components, Optional.empty());
    }
}
