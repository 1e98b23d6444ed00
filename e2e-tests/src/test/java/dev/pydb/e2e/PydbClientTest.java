package dev.pydb.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The test client's framing, against a one-shot fake server on the loopback interface. */
class PydbClientTest {
    @Test
    void sendsAFramedRequestWithIdAndTokenAndReadsAResponseWithAnyHeaderCase() throws Exception {
        try (FakeServer server = new FakeServer(request -> {
            String body = "{\"ok\":true,\"id\":" + request.path("id") + ",\"result\":" + request.path("auth") + "}";
            return "query_length:\t" + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
        }); RawWireClient client = RawWireClient.connect("127.0.0.1", server.port())) {
            JsonNode result = client.ok(RawWireClient.request("PING"));

            assertThat(result.isObject()).isTrue();
            assertThat(result.size()).as("no token before LOGIN").isZero();
            assertThat(server.received()).startsWith("QUERY_LENGTH: ").contains("\r\n\r\n{\"action\":\"PING\",\"id\":1");
        }
    }

    @Test
    void aResponseCutShortIsAnEofNotAPartialBody() throws Exception {
        try (FakeServer server = new FakeServer(request -> "QUERY_LENGTH: 100\r\n\r\n{\"ok\":true}");
                RawWireClient client = RawWireClient.connect("127.0.0.1", server.port())) {
            assertThatThrownBy(() -> client.call(RawWireClient.request("PING")))
                    .isInstanceOf(EOFException.class)
                    .hasMessageContaining("of 100 body bytes");
        }
    }

    /** Accepts one connection, reads one request frame, writes the given answer, closes. */
    private static final class FakeServer implements AutoCloseable {
        private final ServerSocket socket;
        private final CompletableFuture<String> received = new CompletableFuture<>();

        FakeServer(Function<JsonNode, String> answer) throws IOException {
            socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                try (Socket connection = socket.accept()) {
                    InputStream in = connection.getInputStream();
                    StringBuilder header = new StringBuilder();
                    while (!header.toString().endsWith("\r\n\r\n")) {
                        header.append((char) in.read());
                    }
                    int length = Integer.parseInt(header.substring("QUERY_LENGTH: ".length(), header.length() - 4));
                    String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
                    received.complete(header + body);
                    OutputStream out = connection.getOutputStream();
                    out.write(answer.apply(RawWireClient.JSON.readTree(body)).getBytes(StandardCharsets.UTF_8));
                    out.flush();
                } catch (IOException | RuntimeException e) {
                    received.completeExceptionally(e);
                }
            });
        }

        int port() {
            return socket.getLocalPort();
        }

        String received() throws Exception {
            return received.get();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
