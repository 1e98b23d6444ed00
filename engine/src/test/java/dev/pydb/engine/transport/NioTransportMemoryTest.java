package dev.pydb.engine.transport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pydb.engine.config.ServerConfig;
import dev.pydb.engine.session.Session;
import dev.pydb.engine.stats.ServerStats;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The memory budget on the NIO transport, plus what only it has: the output ceiling of a
 * connection, and failures inside the event loop's own work.
 */
class NioTransportMemoryTest extends TransportMemoryTest {
    @Override
    protected Transport newTransport(ServerConfig config, RequestProcessor processor, ServerStats stats) {
        return new NioTcpServer(config, processor, stats, 1);
    }

    @Test
    void aClientThatDoesNotReadAResponseLargerThanTheOutputCeilingIsDisconnectedAndItsMemoryFreed() throws Exception {
        // 8 MiB: more than the kernel's socket buffers (4 MiB at most here) and the 256 KiB ceiling together.
        byte[] page = filled(8 * 1024 * 1024);
        RequestProcessor finds = (session, body) -> new String(body, UTF_8).equals("find") ? page : body;
        Transport server = start(config(64L * 1024 * 1024, 256 * 1024, 30), finds);

        try (Socket nonReader = nonReadingClient(server.port()); FrameClient reader = new FrameClient(server.port())) {
            pipeline(nonReader, 10);

            await().atMost(Duration.ofSeconds(10)).until(() -> stats.outputLimitDisconnects() == 1);
            assertThat(reader.call("small")).isEqualTo("small");
            assertThat(readUntilClosed(nonReader.getInputStream())).isLessThan(page.length);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> stats.memoryUsed() == 0);
    }

    @Test
    void aClientThatPipelinesFindsWithoutReadingIsDisconnectedOnceItHasReadNothingForTheFrameTimeout() throws Exception {
        // Pages under the ceiling: the connection stops decoding behind the unread output and holds one page or two.
        byte[] page = filled(100 * 1024);
        RequestProcessor finds = (session, body) -> new String(body, UTF_8).equals("find") ? page : body;
        Transport server = start(config(64L * 1024 * 1024, 64L * 1024 * 1024, 1), finds);

        try (Socket nonReader = nonReadingClient(server.port()); FrameClient reader = new FrameClient(server.port())) {
            pipeline(nonReader, 1000);

            await().atMost(Duration.ofSeconds(10)).until(() -> stats.outputLimitDisconnects() == 1);
            assertThat(stats.memoryPeak()).isLessThan(64L * page.length);
            assertThat(reader.call("small")).isEqualTo("small");
            assertThat(readUntilClosed(nonReader.getInputStream())).isLessThan(1000L * page.length);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> stats.memoryUsed() == 0);
    }

    private static byte[] filled(int length) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) 'd');
        return bytes;
    }

    private static Socket nonReadingClient(int port) throws java.io.IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return socket;
    }

    private static void pipeline(Socket socket, int finds) throws java.io.IOException {
        OutputStream out = socket.getOutputStream();
        out.write(FrameClient.frames(IntStream.range(0, finds).mapToObj(i -> "find").toList()));
        out.flush();
    }

    @Test
    void anErrorInTheEventLoopsOwnWorkForOneConnectionGivesItInternalAndTheLoopCarriesOn() throws Exception {
        RequestProcessor broken = new RequestProcessor() {
            @Override
            public byte[] process(Session session, byte[] body) {
                return body;
            }

            @Override
            public PreparedRequest prepare(Session session, byte[] body) {
                if (!new String(body, UTF_8).equals("break the loop")) {
                    return PreparedRequest.answered(body);
                }
                return new PreparedRequest() {
                    @Override
                    public boolean mayBlock() {
                        throw new OutOfMemoryError("thrown by the test on the event loop");
                    }

                    @Override
                    public byte[] execute() {
                        return body;
                    }
                };
            }
        };
        Transport server = start(config(64L * 1024 * 1024, 30), broken);

        try (FrameClient victim = new FrameClient(server.port()); FrameClient healthy = new FrameClient(server.port())) {
            victim.sendRaw(FrameClient.frames(List.of("before", "break the loop", "never")));
            assertThat(victim.readFrame()).isEqualTo("before");
            TransportBehaviourTest.assertInternalWithIncident(victim.readFrame());
            assertThat(victim.closedByServer()).isTrue();
            assertThat(healthy.call("same loop")).isEqualTo("same loop");
        }
        for (int i = 0; i < 5; i++) {
            try (FrameClient fresh = new FrameClient(server.port())) {
                assertThat(fresh.call("fresh")).isEqualTo("fresh");
            }
        }
        assertThat(stats.connectionIncidents()).isEqualTo(1);
    }

    private static long readUntilClosed(InputStream in) {
        long total = 0;
        byte[] buffer = new byte[64 * 1024];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                total += n;
            }
        } catch (java.io.IOException e) {
            // reset by the server: closed too
        }
        return total;
    }
}
