package dev.pydb.client;

import static dev.pydb.client.EngineEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Token expiry, a server dying mid-request, timeouts and retries. */
class FailureHandlingTest {
    @TempDir
    Path home;

    private TestServer server;

    @BeforeEach
    void start() {
        BlockingAction.reset();
        server = TestServer.start(home);
        try (PydbClient admin = server.client("admin")) {
            admin.createDb("shop");
        }
    }

    @AfterEach
    void stop() {
        BlockingAction.release.countDown();
        if (server != null) {
            server.close();
        }
    }

    @Test
    void an_expired_login_is_renewed_once_and_the_request_retried() {
        try (PydbClient client = PydbClient.connect(server.config("app").poolSize(1).build())) {
            client.put("shop", "u1", json("{}"));

            server.clock().advance(Duration.ofSeconds(TestServer.TOKEN_TTL_SECONDS + 1));

            assertThat(client.get("shop", "u1").rev()).isEqualTo(1);
            assertThat(client.put("shop", "u1", json("{\"a\": 1}"), 1).rev()).isEqualTo(2);
            assertThat(server.config("app").build().toString()).doesNotContain("app-pw");
        }
    }

    @Test
    void requests_failing_together_after_expiry_share_one_new_login() {
        try (PydbClient admin = server.client("admin");
                PydbClient client = PydbClient.connect(server.config("app").poolSize(1).build())) {
            client.put("shop", "u1", json("{}"));
            long loginsBefore = admin.stats().path("requests").path("LOGIN").asLong();
            server.clock().advance(Duration.ofSeconds(TestServer.TOKEN_TTL_SECONDS + 1));

            List<CompletableFuture<Doc>> reads = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                reads.add(client.getAsync("shop", "u1"));
            }
            reads.forEach(read -> assertThat(read.join().rev()).isEqualTo(1));

            long loginsAfter = admin.stats().path("requests").path("LOGIN").asLong();
            // one for the 50 reads of the app client, one for the admin client's own expired session
            assertThat(loginsAfter - loginsBefore).isEqualTo(2);
        }
    }

    @Test
    void an_explicit_token_that_expired_is_not_renewed() {
        try (PydbClient client = server.client("app")) {
            LoginResult login = client.login("app", "app-pw");
            server.clock().advance(Duration.ofSeconds(TestServer.TOKEN_TTL_SECONDS + 1));
            var fields = json("{}");
            fields.putObject("auth").put("token", login.token());

            assertThatThrownBy(() -> client.call("LIST_DBS", fields)).isInstanceOf(UnauthenticatedException.class);
        }
    }

    @Test
    void a_request_in_flight_when_the_server_stops_has_an_unknown_outcome() throws Exception {
        try (PydbClient client = PydbClient.connect(server.config("app").poolSize(1).build())) {
            CompletableFuture<?> blocked = client.callAsync("TEST_BLOCK", json("{}"));
            assertThat(BlockingAction.entered.await(10, TimeUnit.SECONDS)).isTrue();

            server.close();
            server = null;

            assertThatThrownBy(() -> Futures.await(blocked)).isInstanceOf(OutcomeUnknownException.class)
                    .extracting(e -> ((PydbClientException) e).code()).isEqualTo("OUTCOME_UNKNOWN");
            assertThat(((PydbClientException) catchFailure(blocked)).fromServer()).isFalse();
        }
    }

    @Test
    void a_write_whose_connection_dies_after_sending_is_not_retried_but_a_ping_is() throws Exception {
        try (ServerSocket fake = new ServerSocket(0)) {
            AtomicInteger accepted = new AtomicInteger();
            Thread.ofVirtual().start(() -> acceptReadAndClose(fake, accepted));
            try (PydbClient client = PydbClient.connect(PydbClientConfig.builder("127.0.0.1", fake.getLocalPort())
                    .poolSize(1).maxRetries(3).retryBackoff(Duration.ZERO).build())) {
                assertThatThrownBy(() -> client.put("shop", "u1", json("{}"))).isInstanceOf(OutcomeUnknownException.class);
                assertThatThrownBy(() -> client.ping()).isInstanceOf(OutcomeUnknownException.class);
            }
            // one connection for the put, then the ping: its first try and three retries, each on a new connection
            assertThat(accepted).hasValue(1 + (1 + 3));
        }
    }

    @Test
    void an_idempotent_read_is_retried_on_a_new_connection_after_the_old_one_died() {
        try (PydbClient client = PydbClient.connect(server.config("app").poolSize(1).retryBackoff(Duration.ZERO).build())) {
            client.put("shop", "u1", json("{}"));
            int port = server.port();
            server.close();
            server = TestServer.start(home, port);

            assertThat(client.get("shop", "u1").rev()).isEqualTo(1);
        }
    }

    @Test
    void unavailable_is_retried_for_a_read_but_not_for_a_write() throws Exception {
        try (ServerSocket fake = new ServerSocket(0)) {
            List<String> requests = new CopyOnWriteArrayList<>();
            Thread.ofVirtual().start(() -> answerUnavailableThenPong(fake, requests));
            try (PydbClient client = PydbClient.connect(PydbClientConfig.builder("127.0.0.1", fake.getLocalPort())
                    .poolSize(1).maxRetries(2).retryBackoff(Duration.ZERO).build())) {
                assertThat(client.ping()).isEqualTo("PONG");
                assertThatThrownBy(() -> client.put("shop", "u1", json("{}"))).isInstanceOf(UnavailableException.class);
            }
            assertThat(requests).containsExactly("PING", "PING", "PUT");
        }
    }

    @Test
    void a_request_without_an_answer_times_out_and_its_connection_is_discarded() throws Exception {
        try (PydbClient client = PydbClient.connect(server.config("app").poolSize(1)
                .requestTimeout(Duration.ofSeconds(2)).build())) {
            assertThatThrownBy(() -> client.call("TEST_BLOCK", json("{}"))).isInstanceOf(RequestTimeoutException.class)
                    .extracting(e -> ((PydbClientException) e).code()).isEqualTo("TIMEOUT");
            assertThat(client.openConnections()).isZero();
            BlockingAction.release.countDown();

            assertThat(client.ping()).isEqualTo("PONG");
            assertThat(client.openConnections()).isEqualTo(1);
        }
    }

    @Test
    void an_unreachable_server_is_a_connection_failure() throws IOException {
        int freePort;
        try (ServerSocket socket = new ServerSocket(0)) {
            freePort = socket.getLocalPort();
        }
        assertThatThrownBy(() -> PydbClient.connect(PydbClientConfig.builder("127.0.0.1", freePort)
                .connectTimeout(Duration.ofSeconds(1)).build()))
                .isInstanceOf(ConnectionFailedException.class)
                .extracting(e -> ((PydbClientException) e).code()).isEqualTo("CONNECTION_FAILED");
    }

    @Test
    void requests_after_close_fail_as_connection_failures() {
        PydbClient client = server.client("app");
        client.close();

        assertThatThrownBy(client::ping).isInstanceOf(ConnectionFailedException.class);
        client.close();
    }

    private static Throwable catchFailure(CompletableFuture<?> future) {
        try {
            future.join();
            throw new AssertionError("expected a failure");
        } catch (RuntimeException e) {
            return Futures.unwrap(e);
        }
    }

    /** Accepts connections; answers nothing, closes each after its first byte. */
    private static void acceptReadAndClose(ServerSocket fake, AtomicInteger accepted) {
        while (true) {
            try (Socket socket = fake.accept()) {
                accepted.incrementAndGet();
                socket.getInputStream().read();
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Answers the first request and every PUT with UNAVAILABLE, anything else with PONG. */
    private static void answerUnavailableThenPong(ServerSocket fake, List<String> requests) {
        try (Socket socket = fake.accept()) {
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            OutputStream out = socket.getOutputStream();
            ObjectMapper mapper = new ObjectMapper();
            while (true) {
                String header = readHeader(in);
                byte[] body = in.readNBytes(Integer.parseInt(header.substring(header.indexOf(':') + 1).trim()));
                JsonNode request = mapper.readTree(body);
                String action = request.path("action").asText();
                requests.add(action);
                ObjectNode response = mapper.createObjectNode().set("id", request.get("id"));
                if (requests.size() == 1 || action.equals("PUT")) {
                    response.put("ok", false).putObject("error").put("code", "UNAVAILABLE").put("message", "shutting down");
                } else {
                    response.put("ok", true).put("result", "PONG");
                }
                byte[] bytes = mapper.writeValueAsBytes(response);
                out.write(("QUERY_LENGTH: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(bytes);
                out.flush();
            }
        } catch (IOException e) {
            // the client closed the connection
        }
    }

    private static String readHeader(DataInputStream in) throws IOException {
        StringBuilder header = new StringBuilder();
        while (!header.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
            header.append((char) b);
        }
        return header.toString().trim();
    }
}
