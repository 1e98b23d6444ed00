package dev.pydb.e2e;

import static dev.pydb.e2e.RawWireClient.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wire contract ({@code docs/PROTOCOL.md}), checked from outside with raw sockets
 * against the unpacked distribution started with {@code bin/pydb -e <file>}: every action, field,
 * role and error code, pipelining, hostile frames. One subclass per storage backend, chosen only in
 * the env file. Each subclass also checks durability: compare-and-set increments from 8 clients,
 * data across a SIGTERM restart, and acknowledged writes across three rounds of kill -9.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BackendContract {
    private static final String APP = "app";
    private static final String APP_PASSWORD = "app-password";
    private static final String READER = "reader";
    private static final String READER_PASSWORD = "reader-password";
    private static final int MAX_DOCUMENT_BYTES = 4096;
    private static final int MAX_QUERY_LENGTH = 1024 * 1024;

    private final AtomicInteger databases = new AtomicInteger();
    private ServerProcess server;
    private int port;

    /** The storage provider under test: {@code json}, {@code mapdb}, {@code lmdb} or {@code postgres}. */
    abstract String provider();

    /**
     * The {@code storage.options} of a server whose {@code storage.path} is {@code dataPath}; each
     * path is its own store. Default: none (the local backends keep everything under the path).
     */
    ObjectNode storageOptions(Path dataPath) {
        return RawWireClient.JSON.createObjectNode();
    }

    private ObjectNode env(int serverPort, Path dataPath) {
        ObjectNode env = EnvFile.of("127.0.0.1", serverPort, provider(), dataPath.toString(), null);
        ((ObjectNode) env.get("storage")).set("options", storageOptions(dataPath));
        return env;
    }

    @BeforeAll
    void startServer(@TempDir Path work) {
        port = Ports.free();
        ObjectNode env = env(port, work.resolve("data"));
        ((ObjectNode) env.get("server")).put("max_document_bytes", MAX_DOCUMENT_BYTES)
                .put("max_query_length", MAX_QUERY_LENGTH);
        ArrayNode users = (ArrayNode) env.get("auth").get("users");
        ObjectNode app = users.addObject().put("username", APP).put("password", APP_PASSWORD);
        app.putArray("roles").add("readWrite:shop").add("read:logs");
        ObjectNode reader = users.addObject().put("username", READER).put("password", READER_PASSWORD);
        reader.putArray("roles").add("read:*");
        Path envFile = EnvFile.write(env, work.resolve("env.json"));
        server = ServerProcess.start(Build.unpackedDistribution(), work.resolve("out"), List.of("-e", envFile.toString()))
                .awaitPing(port);
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            int exit = server.stop();
            assertThat(exit).as("exit code after SIGTERM\n%s", server.output()).isZero();
        }
    }

    private RawWireClient anonymous() throws IOException {
        return RawWireClient.connect("127.0.0.1", port);
    }

    private RawWireClient admin() throws IOException {
        RawWireClient client = anonymous();
        client.login(EnvFile.USER, EnvFile.PASSWORD);
        return client;
    }

    /** A fresh database for one test; {@code shop} and {@code logs} are the ones the roles name. */
    private String newDatabase(RawWireClient admin) throws IOException {
        String db = provider() + "_" + databases.incrementAndGet();
        admin.ok(request("CREATE_DB").put("db", db));
        return db;
    }

    private static ObjectNode doc(String json) throws IOException {
        return (ObjectNode) RawWireClient.JSON.readTree(json.replace('\'', '"'));
    }

    // ---- framing, PING, ids, dispatch ----

    @Test
    void pingAnswersAnyoneAndEchoesTheId() throws IOException {
        try (RawWireClient client = anonymous()) {
            client.send("{\"action\": \"PING\", \"id\": \"abc\", \"auth\": {}}".getBytes(StandardCharsets.UTF_8));
            ObjectNode reply = client.receive();
            assertThat(reply.get("ok").booleanValue()).isTrue();
            assertThat(reply.get("id").textValue()).isEqualTo("abc");
            assertThat(reply.get("result").textValue()).isEqualTo("PONG");

            client.send("{\"action\": \"ping\"}".getBytes(StandardCharsets.UTF_8));
            ObjectNode withoutId = client.receive();
            assertThat(withoutId.get("result").textValue()).as("action is case-insensitive").isEqualTo("PONG");
            assertThat(withoutId.has("id")).as("no id in the request, none in the reply").isFalse();

            client.send("{\"action\": \"PING\", \"id\": 17.5}".getBytes(StandardCharsets.UTF_8));
            assertThat(client.receive().get("id").decimalValue()).isEqualByComparingTo("17.5");
        }
    }

    @Test
    void badJsonAndUnknownActionsKeepTheConnectionUsable() throws IOException {
        try (RawWireClient client = anonymous()) {
            for (String body : List.of("not json", "[1, 2]", "\"PING\"", "{\"action\": \"PING\"", "")) {
                client.send(body.getBytes(StandardCharsets.UTF_8));
                assertThat(client.receive().get("error").get("code").textValue()).as(body).isEqualTo("BAD_JSON");
            }
            assertThat(client.errorCode(request("NO_SUCH_ACTION"))).isEqualTo("UNKNOWN_ACTION");
            assertThat(client.errorCode(RawWireClient.JSON.createObjectNode())).isEqualTo("BAD_REQUEST");
            assertThat(client.errorCode(request("PING").put("auth", "token"))).isEqualTo("BAD_REQUEST");
            assertThat(client.ping()).isEqualTo("PONG");
        }
    }

    @Test
    void threeHundredPipelinedRequestsInOneWriteAreAnsweredInOrder() throws IOException {
        try (RawWireClient admin = admin(); Socket socket = new Socket("127.0.0.1", port)) {
            String db = newDatabase(admin);
            String token = admin.ok(request("LOGIN").put("username", EnvFile.USER).put("password", EnvFile.PASSWORD))
                    .get("token").textValue();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int i = 0; i < 300; i++) {
                ObjectNode body = i % 2 == 0
                        ? request("PUT").put("db", db).put("key", "k" + i).set("doc", doc("{'i': " + i + "}"))
                        : request("GET").put("db", db).put("key", "k" + (i - 1));
                body.put("id", i).putObject("auth").put("token", token);
                byte[] bytes = RawWireClient.JSON.writeValueAsBytes(body);
                all.writeBytes(("QUERY_LENGTH: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                all.writeBytes(bytes);
            }
            socket.getOutputStream().write(all.toByteArray());
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            for (int i = 0; i < 300; i++) {
                ObjectNode reply = readFrame(in);
                assertThat(reply.get("id").intValue()).isEqualTo(i);
                assertThat(reply.get("ok").booleanValue()).as(reply.toString()).isTrue();
                if (i % 2 == 1) {
                    assertThat(reply.get("result").get("doc").get("i").intValue()).isEqualTo(i - 1);
                }
            }
        }
    }

    @Test
    void malformedHeadersGetBadFrameThenTheConnectionIsClosed() throws IOException {
        List<String> hostile = List.of(
                "HELLO: 5\r\n\r\n{}",
                "QUERY_LENGTH: -5\r\n\r\n",
                "QUERY_LENGTH: +5\r\n\r\n",
                "QUERY_LENGTH: 12345678901\r\n\r\n",
                "QUERY_LENGTH: 5x\r\n\r\n",
                "QUERY_LENGTH: 2\r\nQUERY_LENGTH: 2\r\n\r\n{}",
                "\0\0\0\0garbage\r\n\r\n",
                "QUERY_LENGTH: " + "9".repeat(2000));
        for (String frame : hostile) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(frame.getBytes(StandardCharsets.ISO_8859_1));
                socket.getOutputStream().flush();
                ObjectNode reply = readFrame(socket.getInputStream());
                assertThat(reply.get("error").get("code").textValue()).as(frame.substring(0, Math.min(40, frame.length())))
                        .isEqualTo("BAD_FRAME");
                assertClosed(socket);
            }
        }
        try (RawWireClient client = anonymous()) {
            assertThat(client.ping()).as("the server survives").isEqualTo("PONG");
        }
    }

    @Test
    void aFrameOverTheLimitGetsFrameTooLargeThenClose() throws IOException {
        for (String length : List.of(String.valueOf(MAX_QUERY_LENGTH + 1), "4294967296", "4294967295")) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(("QUERY_LENGTH: " + length + "\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII));
                ObjectNode reply = readFrame(socket.getInputStream());
                assertThat(reply.get("error").get("code").textValue()).as(length).isEqualTo("FRAME_TOO_LARGE");
                assertClosed(socket);
            }
        }
        try (RawWireClient client = anonymous()) {
            assertThat(client.ping()).isEqualTo("PONG");
        }
    }

    @Test
    void aOneMebibyteFrameIsRefusedBeforeLoginAndServedAfterIt() throws IOException {
        ObjectNode padded = request("PING").put("pad", "x".repeat(MAX_QUERY_LENGTH - 100));
        byte[] body = RawWireClient.JSON.writeValueAsBytes(padded);
        assertThat(body.length).isGreaterThan(1_000_000).isLessThanOrEqualTo(MAX_QUERY_LENGTH);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("QUERY_LENGTH: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(body);
            assertThat(readFrame(socket.getInputStream()).get("error").get("code").textValue()).isEqualTo("FRAME_TOO_LARGE");
            assertClosed(socket);
        }
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            writeFrame(socket, request("LOGIN").put("username", READER).put("password", READER_PASSWORD));
            assertThat(readFrame(socket.getInputStream()).get("ok").booleanValue()).isTrue();
            socket.getOutputStream().write(("QUERY_LENGTH: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(body);
            assertThat(readFrame(socket.getInputStream()).get("result").textValue()).isEqualTo("PONG");
        }
    }

    @Test
    void aConnectionClosedMidFrameAppliesNothing() throws IOException {
        try (RawWireClient admin = admin()) {
            String db = newDatabase(admin);
            byte[] body = RawWireClient.JSON.writeValueAsBytes(request("PUT").put("db", db).put("key", "half")
                    .set("doc", doc("{'a': 1}")));
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.getOutputStream().write(("QUERY_LENGTH: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().write(body, 0, body.length / 2);
                socket.getOutputStream().flush();
            }
            assertThat(admin.errorCode(request("GET").put("db", db).put("key", "half"))).isEqualTo("NOT_FOUND");
        }
    }

    // ---- LOGIN, tokens, sessions, roles ----

    @Test
    void loginReturnsATokenAndTheSameErrorForUnknownUserAndWrongPassword() throws IOException {
        try (RawWireClient client = anonymous()) {
            JsonNode login = client.ok(request("LOGIN").put("username", APP).put("password", APP_PASSWORD));
            assertThat(login.get("token").textValue()).hasSizeGreaterThanOrEqualTo(43);
            assertThat(login.get("expires_at").textValue()).isNotBlank();
            assertThat(login.get("roles")).containsExactly(
                    RawWireClient.JSON.getNodeFactory().textNode("readWrite:shop"),
                    RawWireClient.JSON.getNodeFactory().textNode("read:logs"));

            ObjectNode wrongPassword = client.call(request("LOGIN").put("username", APP).put("password", "nope"));
            ObjectNode unknownUser = client.call(request("LOGIN").put("username", "nobody").put("password", "nope"));
            assertThat(wrongPassword.get("error").get("code").textValue()).isEqualTo("UNAUTHENTICATED");
            assertThat(unknownUser.get("error")).isEqualTo(wrongPassword.get("error"));
            assertThat(client.errorCode(request("LOGIN").put("username", APP))).isEqualTo("BAD_REQUEST");
        }
    }

    @Test
    void tokensAuthenticateAnyConnectionAndLogoutKillsThemEverywhere() throws IOException {
        try (RawWireClient admin = admin(); Socket first = new Socket("127.0.0.1", port); RawWireClient other = anonymous()) {
            admin.ok(request("LIST_DBS"));
            // Session auth: LOGIN on a raw connection, later requests carry no auth at all.
            first.setSoTimeout(10_000);
            writeFrame(first, request("LOGIN").put("username", READER).put("password", READER_PASSWORD));
            String token = readFrame(first.getInputStream()).get("result").get("token").textValue();
            writeFrame(first, request("LIST_DBS"));
            assertThat(readFrame(first.getInputStream()).get("ok").booleanValue()).isTrue();

            assertThat(other.errorCode(request("LIST_DBS"))).as("no login on this connection").isEqualTo("UNAUTHENTICATED");
            ObjectNode withToken = request("LIST_DBS");
            withToken.putObject("auth").put("token", token);
            assertThat(other.call(withToken).get("ok").booleanValue()).as("the token works anywhere").isTrue();
            ObjectNode badToken = request("LIST_DBS");
            badToken.putObject("auth").put("token", "x" + token);
            assertThat(other.errorCode(badToken)).isEqualTo("UNAUTHENTICATED");

            writeFrame(first, request("LOGOUT"));
            assertThat(readFrame(first.getInputStream()).get("result").get("revoked").booleanValue()).isTrue();
            writeFrame(first, request("LIST_DBS"));
            assertThat(readFrame(first.getInputStream()).get("error").get("code").textValue()).isEqualTo("UNAUTHENTICATED");
            ObjectNode revoked = request("LIST_DBS");
            revoked.putObject("auth").put("token", token);
            assertThat(other.errorCode(revoked)).as("dead everywhere").isEqualTo("UNAUTHENTICATED");
        }
    }

    @Test
    void rolesDecideWhatEachUserMay() throws IOException {
        try (RawWireClient admin = admin(); RawWireClient app = anonymous(); RawWireClient reader = anonymous()) {
            for (String db : List.of("shop", "logs", "secret")) {
                ObjectNode reply = admin.call(request("CREATE_DB").put("db", db));
                assertThat(reply.get("ok").booleanValue() || "DB_EXISTS".equals(reply.get("error").get("code").textValue()))
                        .isTrue();
            }
            admin.ok(request("PUT").put("db", "logs").put("key", "l1").set("doc", doc("{'m': 'hello'}")));
            app.login(APP, APP_PASSWORD);
            reader.login(READER, READER_PASSWORD);

            assertThat(app.errorCode(request("CREATE_DB").put("db", "mine"))).isEqualTo("FORBIDDEN");
            assertThat(app.errorCode(request("DROP_DB").put("db", "shop"))).isEqualTo("FORBIDDEN");
            assertThat(app.errorCode(request("STATS"))).isEqualTo("FORBIDDEN");
            assertThat(app.ok(request("PUT").put("db", "shop").put("key", "p1").set("doc", doc("{'x': 1}")))
                    .get("rev").intValue()).isPositive();
            assertThat(app.errorCode(request("PUT").put("db", "logs").put("key", "p1").set("doc", doc("{}"))))
                    .isEqualTo("FORBIDDEN");
            assertThat(app.ok(request("GET").put("db", "logs").put("key", "l1")).get("doc").get("m").textValue())
                    .isEqualTo("hello");
            assertThat(app.errorCode(request("GET").put("db", "secret").put("key", "l1"))).isEqualTo("FORBIDDEN");
            assertThat(names(app.ok(request("LIST_DBS")))).contains("shop", "logs").doesNotContain("secret");

            assertThat(reader.ok(request("COUNT").put("db", "secret")).isNumber()).isTrue();
            assertThat(names(reader.ok(request("LIST_DBS")))).contains("shop", "logs", "secret");
            assertThat(reader.errorCode(request("DELETE").put("db", "shop").put("key", "p1"))).isEqualTo("FORBIDDEN");
            assertThat(reader.errorCode(request("BATCH").put("db", "shop").set("ops", RawWireClient.JSON.createArrayNode())))
                    .isEqualTo("FORBIDDEN");
        }
    }

    // ---- databases ----

    @Test
    void databasesAreCreatedListedAndDropped() throws IOException {
        try (RawWireClient admin = admin()) {
            String db = provider() + "_dbs";
            assertThat(admin.ok(request("CREATE_DB").put("db", db))).isEqualTo(doc("{'db': '" + db + "'}"));
            assertThat(admin.errorCode(request("CREATE_DB").put("db", db))).isEqualTo("DB_EXISTS");
            assertThat(names(admin.ok(request("LIST_DBS")))).contains(db);
            for (String bad : List.of("../etc", "", "a b", "x".repeat(65), "ü")) {
                assertThat(admin.errorCode(request("CREATE_DB").put("db", bad))).as(bad).isEqualTo("BAD_REQUEST");
            }
            assertThat(admin.errorCode(request("GET").put("db", "../etc").put("key", "k"))).isEqualTo("BAD_REQUEST");
            admin.ok(request("PUT").put("db", db).put("key", "k").set("doc", doc("{}")));
            assertThat(admin.ok(request("DROP_DB").put("db", db))).isEqualTo(doc("{'db': '" + db + "', 'dropped': true}"));
            assertThat(admin.errorCode(request("DROP_DB").put("db", db))).isEqualTo("DB_NOT_FOUND");
            assertThat(admin.errorCode(request("GET").put("db", db).put("key", "k"))).isEqualTo("DB_NOT_FOUND");
            assertThat(names(admin.ok(request("LIST_DBS")))).doesNotContain(db);
        }
    }

    // ---- documents ----

    @Test
    void documentsHaveRevisionsAndCompareAndSet() throws IOException {
        try (RawWireClient admin = admin()) {
            String db = newDatabase(admin);
            JsonNode generated = admin.ok(request("INSERT").put("db", db).set("doc", doc("{'a': 1}")));
            assertThat(generated.get("key").textValue()).isNotBlank();
            assertThat(generated.get("rev").intValue()).isEqualTo(1);
            assertThat(admin.ok(request("INSERT").put("db", db).put("key", "u1").set("doc", doc("{'name': 'Ann'}"))))
                    .isEqualTo(doc("{'key': 'u1', 'rev': 1}"));
            assertThat(admin.errorCode(request("INSERT").put("db", db).put("key", "u1").set("doc", doc("{}"))))
                    .isEqualTo("KEY_EXISTS");
            assertThat(admin.ok(request("GET").put("db", db).put("key", "u1")))
                    .isEqualTo(doc("{'key': 'u1', 'rev': 1, 'doc': {'name': 'Ann'}}"));
            assertThat(admin.errorCode(request("GET").put("db", db).put("key", "nope"))).isEqualTo("NOT_FOUND");

            assertThat(admin.ok(request("PUT").put("db", db).put("key", "u1").set("doc", doc("{'name': 'Bo'}")))
                    .get("rev").intValue()).isEqualTo(2);
            assertThat(admin.errorCode(request("PUT").put("db", db).put("key", "u1").put("rev", 1).set("doc", doc("{}"))))
                    .isEqualTo("CONFLICT");
            assertThat(admin.errorCode(request("PUT").put("db", db).put("key", "u1").put("rev", 0).set("doc", doc("{}"))))
                    .isEqualTo("CONFLICT");
            assertThat(admin.ok(request("PUT").put("db", db).put("key", "u1").put("rev", 2).set("doc",
                    doc("{'name': 'Cy', 'address': {'city': 'Oslo', 'zip': '0150'}, 'tags': [1]}"))).get("rev").intValue())
                    .isEqualTo(3);
            assertThat(admin.ok(request("PUT").put("db", db).put("key", "new").put("rev", 0).set("doc", doc("{}")))
                    .get("rev").intValue()).isEqualTo(1);

            assertThat(admin.ok(request("UPDATE").put("db", db).put("key", "u1")
                    .set("patch", doc("{'address': {'zip': null, 'street': 'Main'}, 'tags': null, 'age': 5}"))))
                    .isEqualTo(doc("{'key': 'u1', 'rev': 4}"));
            assertThat(admin.ok(request("GET").put("db", db).put("key", "u1")).get("doc"))
                    .isEqualTo(doc("{'name': 'Cy', 'address': {'city': 'Oslo', 'street': 'Main'}, 'age': 5}"));
            assertThat(admin.errorCode(request("UPDATE").put("db", db).put("key", "u1").put("rev", 3)
                    .set("patch", doc("{}")))).isEqualTo("CONFLICT");
            assertThat(admin.errorCode(request("UPDATE").put("db", db).put("key", "nope").set("patch", doc("{}"))))
                    .isEqualTo("NOT_FOUND");

            assertThat(admin.errorCode(request("DELETE").put("db", db).put("key", "u1").put("rev", 3))).isEqualTo("CONFLICT");
            assertThat(admin.ok(request("DELETE").put("db", db).put("key", "u1").put("rev", 4)))
                    .isEqualTo(doc("{'key': 'u1', 'deleted': true}"));
            assertThat(admin.errorCode(request("DELETE").put("db", db).put("key", "u1"))).isEqualTo("NOT_FOUND");
            assertThat(admin.errorCode(request("GET").put("db", db).put("key", "u1"))).isEqualTo("NOT_FOUND");
        }
    }

    @Test
    void badFieldsAndLimitsGetClearCodes() throws IOException {
        try (RawWireClient admin = admin()) {
            String db = newDatabase(admin);
            assertThat(admin.errorCode(request("PUT").put("db", db).put("key", "k").put("doc", "text"))).isEqualTo("BAD_REQUEST");
            assertThat(admin.errorCode(request("PUT").put("db", db).put("key", "k").set("doc", RawWireClient.JSON.createArrayNode())))
                    .isEqualTo("BAD_REQUEST");
            assertThat(admin.errorCode(request("PUT").put("db", db).put("key", "").set("doc", doc("{}")))).isEqualTo("BAD_REQUEST");
            assertThat(admin.errorCode(request("PUT").put("db", db).put("key", 5).set("doc", doc("{}")))).isEqualTo("BAD_REQUEST");
            assertThat(admin.errorCode(request("PUT").put("key", "k").set("doc", doc("{}")))).isEqualTo("BAD_REQUEST");
            assertThat(admin.errorCode(request("PUT").put("db", db).put("key", "k").put("rev", -3).set("doc", doc("{}"))))
                    .isEqualTo("BAD_REQUEST");
            assertThat(admin.errorCode(request("PUT").put("db", db).put("key", "é".repeat(128)).set("doc", doc("{}"))))
                    .as("256 bytes of UTF-8").isEqualTo("LIMIT_EXCEEDED");
            assertThat(admin.ok(request("PUT").put("db", db).put("key", "é".repeat(127) + "x").set("doc", doc("{}")))
                    .get("rev").intValue()).as("255 bytes of UTF-8").isEqualTo(1);
            ObjectNode big = RawWireClient.JSON.createObjectNode().put("s", "x".repeat(MAX_DOCUMENT_BYTES));
            assertThat(admin.errorCode(request("PUT").put("db", db).put("key", "big").set("doc", big))).isEqualTo("LIMIT_EXCEEDED");
            assertThat(admin.errorCode(request("FIND").put("db", db).put("limit", 10_001))).isEqualTo("LIMIT_EXCEEDED");
            assertThat(admin.errorCode(request("FIND").put("db", db).set("filter", doc("{'a': {'$regex': 'x'}}"))))
                    .isEqualTo("BAD_REQUEST");
        }
    }

    @Test
    void findFiltersAndPaginatesInKeyOrderAndCountCounts() throws IOException {
        try (RawWireClient admin = admin()) {
            String db = newDatabase(admin);
            for (int i = 0; i < 25; i++) {
                ObjectNode d = doc("{'n': " + i + ", 'kind': '" + (i % 2 == 0 ? "even" : "odd") + "', 'address': {'city': '"
                        + (i < 5 ? "Oslo" : "Rome") + "'}}");
                if (i % 5 == 0) {
                    d.put("flag", true);
                }
                admin.ok(request("PUT").put("db", db).put("key", String.format("k%02d", i)).set("doc", d));
            }
            List<String> keys = new ArrayList<>();
            String after = null;
            int pages = 0;
            do {
                ObjectNode find = request("FIND").put("db", db).put("limit", 4);
                find.set("filter", doc("{'n': {'$gte': 3, '$lt': 20}, 'kind': 'odd'}"));
                if (after != null) {
                    find.put("after", after);
                }
                JsonNode page = admin.ok(find);
                page.get("docs").forEach(d -> keys.add(d.get("key").textValue()));
                after = page.get("next").isNull() ? null : page.get("next").textValue();
                pages++;
            } while (after != null && pages < 20);
            assertThat(keys).containsExactly("k03", "k05", "k07", "k09", "k11", "k13", "k15", "k17", "k19");

            JsonNode first = admin.ok(request("FIND").put("db", db).put("limit", 2)).get("docs").get(0);
            assertThat(first.get("key").textValue()).isEqualTo("k00");
            assertThat(first.get("rev").intValue()).isEqualTo(1);
            assertThat(first.get("doc").get("n").intValue()).isZero();
            assertThat(admin.ok(request("FIND").put("db", db)).get("docs")).hasSize(25);
            assertThat(admin.ok(request("FIND").put("db", db)).get("next").isNull()).isTrue();

            assertThat(admin.ok(request("COUNT").put("db", db)).intValue()).isEqualTo(25);
            assertThat(count(admin, db, "{'address.city': 'Oslo'}")).isEqualTo(5);
            assertThat(count(admin, db, "{'n': {'$in': [1, 2, 99]}}")).isEqualTo(2);
            assertThat(count(admin, db, "{'flag': {'$exists': true}}")).isEqualTo(5);
            assertThat(count(admin, db, "{'kind': {'$ne': 'even'}}")).isEqualTo(12);
            assertThat(count(admin, db, "{'n': 3.0}")).as("numbers compare numerically").isEqualTo(1);
            assertThat(count(admin, db, "{'n': '3'}")).as("a type mismatch never matches").isZero();
            assertThat(count(admin, db, "{'kind': {'$gt': 'even'}}")).as("strings compare lexicographically").isEqualTo(12);
        }
    }

    @Test
    void batchesAreAtomic() throws IOException {
        try (RawWireClient admin = admin()) {
            String db = newDatabase(admin);
            admin.ok(request("PUT").put("db", db).put("key", "a").set("doc", doc("{'v': 1}")));
            ArrayNode ops = RawWireClient.JSON.createArrayNode();
            ops.add(doc("{'action': 'PUT', 'key': 'b', 'doc': {'v': 2}}"));
            ops.add(doc("{'action': 'UPDATE', 'key': 'a', 'patch': {'w': 3}, 'rev': 1}"));
            ops.add(doc("{'action': 'INSERT', 'key': 'c', 'doc': {}}"));
            ops.add(doc("{'action': 'DELETE', 'key': 'c'}"));
            JsonNode results = admin.ok(request("BATCH").put("db", db).set("ops", ops)).get("results");
            assertThat(results).hasSize(4);
            assertThat(results.get(0)).isEqualTo(doc("{'key': 'b', 'rev': 1}"));
            assertThat(results.get(1)).isEqualTo(doc("{'key': 'a', 'rev': 2}"));
            assertThat(results.get(3)).isEqualTo(doc("{'key': 'c', 'deleted': true}"));

            ArrayNode failing = RawWireClient.JSON.createArrayNode();
            failing.add(doc("{'action': 'PUT', 'key': 'x', 'doc': {}}"));
            failing.add(doc("{'action': 'DELETE', 'key': 'a'}"));
            failing.add(doc("{'action': 'INSERT', 'key': 'b', 'doc': {}}"));
            ObjectNode reply = admin.call(request("BATCH").put("db", db).set("ops", failing));
            assertThat(reply.get("error").get("code").textValue()).isEqualTo("KEY_EXISTS");
            assertThat(reply.get("error").get("index").intValue()).isEqualTo(2);
            assertThat(admin.errorCode(request("GET").put("db", db).put("key", "x"))).isEqualTo("NOT_FOUND");
            assertThat(admin.ok(request("GET").put("db", db).put("key", "a")).get("rev").intValue()).isEqualTo(2);

            ArrayNode invalid = RawWireClient.JSON.createArrayNode();
            invalid.add(doc("{'action': 'PUT', 'key': 'y', 'doc': {}}"));
            invalid.add(doc("{'action': 'GET', 'key': 'y'}"));
            ObjectNode invalidReply = admin.call(request("BATCH").put("db", db).set("ops", invalid));
            assertThat(invalidReply.get("error").get("code").textValue()).isEqualTo("BAD_REQUEST");
            assertThat(invalidReply.get("error").get("index").intValue()).isEqualTo(1);
            assertThat(admin.errorCode(request("GET").put("db", db).put("key", "y"))).isEqualTo("NOT_FOUND");
        }
    }

    @Test
    void statsShowTheServerToAdminsOnly() throws IOException {
        try (RawWireClient admin = admin()) {
            String db = newDatabase(admin);
            admin.ok(request("PUT").put("db", db).put("key", "k").set("doc", doc("{}")));
            JsonNode stats = admin.ok(request("STATS"));
            assertThat(stats.get("uptime_seconds").isIntegralNumber()).isTrue();
            assertThat(stats.get("connections").get("open").intValue()).isPositive();
            assertThat(stats.get("requests").get("PUT").intValue()).isPositive();
            assertThat(stats.get("storage").get("provider").textValue()).isEqualTo(provider());
            assertThat(stats.get("databases").get(db).intValue()).isEqualTo(1);
            assertThat(stats.get("plugins").toString()).contains("storage-" + provider());
        }
    }

    // ---- durability and concurrency ----

    @Test
    void eightClientsDoingFortyCompareAndSetIncrementsEachEndAtExactly320() throws Exception {
        try (RawWireClient admin = admin()) {
            String db = newDatabase(admin);
            admin.ok(request("PUT").put("db", db).put("key", "counter").set("doc", doc("{'n': 0}")));
            List<java.util.concurrent.Future<Integer>> clients = new ArrayList<>();
            try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
                for (int c = 0; c < 8; c++) {
                    clients.add(pool.submit(() -> incrementForty(db)));
                }
                for (var client : clients) {
                    assertThat(client.get(120, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(40);
                }
            }
            JsonNode counter = admin.ok(request("GET").put("db", db).put("key", "counter"));
            assertThat(counter.get("doc").get("n").intValue()).isEqualTo(320);
            assertThat(counter.get("rev").intValue()).isEqualTo(321);
        }
    }

    private int incrementForty(String db) throws IOException {
        try (RawWireClient client = anonymous()) {
            client.login(EnvFile.USER, EnvFile.PASSWORD);
            int done = 0;
            while (done < 40) {
                JsonNode current = client.ok(request("GET").put("db", db).put("key", "counter"));
                int n = current.get("doc").get("n").intValue();
                ObjectNode reply = client.call(request("PUT").put("db", db).put("key", "counter")
                        .put("rev", current.get("rev").longValue()).set("doc", doc("{'n': " + (n + 1) + "}")));
                if (reply.get("ok").booleanValue()) {
                    done++;
                } else {
                    assertThat(reply.get("error").get("code").textValue()).isEqualTo("CONFLICT");
                }
            }
            return done;
        }
    }

    @Test
    void dataSurvivesASigtermRestart(@TempDir Path work) throws IOException {
        int otherPort = Ports.free();
        Path envFile = EnvFile.write(env(otherPort, work.resolve("data")),
                work.resolve("env.json"));
        try (ServerProcess first = ServerProcess.start(Build.unpackedDistribution(), work.resolve("out1"),
                List.of("-e", envFile.toString())).awaitPing(otherPort)) {
            try (RawWireClient client = RawWireClient.connect("127.0.0.1", otherPort)) {
                client.login(EnvFile.USER, EnvFile.PASSWORD);
                client.ok(request("CREATE_DB").put("db", "kept"));
                for (int i = 0; i < 50; i++) {
                    client.ok(request("PUT").put("db", "kept").put("key", "k" + i).set("doc", doc("{'i': " + i + "}")));
                }
                client.ok(request("UPDATE").put("db", "kept").put("key", "k7").set("patch", doc("{'seven': true}")));
                client.ok(request("DELETE").put("db", "kept").put("key", "k8"));
            }
            assertThat(first.stop()).as("SIGTERM exit code\n%s", first.output()).isZero();
        }
        try (ServerProcess second = ServerProcess.start(Build.unpackedDistribution(), work.resolve("out2"),
                List.of("-e", envFile.toString())).awaitPing(otherPort);
                RawWireClient client = RawWireClient.connect("127.0.0.1", otherPort)) {
            client.login(EnvFile.USER, EnvFile.PASSWORD);
            assertThat(client.ok(request("COUNT").put("db", "kept")).intValue()).isEqualTo(49);
            assertThat(client.ok(request("GET").put("db", "kept").put("key", "k7")))
                    .isEqualTo(doc("{'key': 'k7', 'rev': 2, 'doc': {'i': 7, 'seven': true}}"));
            assertThat(client.errorCode(request("GET").put("db", "kept").put("key", "k8"))).isEqualTo("NOT_FOUND");
            assertThat(second.stop()).isZero();
        }
    }

    @Test
    void acknowledgedWritesSurviveThreeRoundsOfKillNine(@TempDir Path work) throws Exception {
        int otherPort = Ports.free();
        Path envFile = EnvFile.write(env(otherPort, work.resolve("data")),
                work.resolve("env.json"));
        java.util.Map<String, Integer> acknowledged = new java.util.concurrent.ConcurrentHashMap<>();
        for (int round = 0; round < 3; round++) {
            try (ServerProcess server = ServerProcess.start(Build.unpackedDistribution(), work.resolve("out" + round),
                    List.of("-e", envFile.toString())).awaitPing(otherPort)) {
                try (RawWireClient client = RawWireClient.connect("127.0.0.1", otherPort)) {
                    client.login(EnvFile.USER, EnvFile.PASSWORD);
                    assertAllPresent(client, acknowledged);
                    if (round == 0) {
                        client.ok(request("CREATE_DB").put("db", "crash"));
                    }
                }
                int thisRound = round;
                AtomicInteger writes = new AtomicInteger();
                List<Thread> writers = new ArrayList<>();
                for (int w = 0; w < 8; w++) {
                    int writer = w;
                    writers.add(Thread.ofPlatform().start(() -> writeUntilKilled(otherPort, thisRound, writer, acknowledged,
                            writes)));
                }
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(120)).until(() -> writes.get() >= 200);
                server.kill();
                for (Thread writer : writers) {
                    writer.join(30_000);
                }
            }
        }
        try (ServerProcess last = ServerProcess.start(Build.unpackedDistribution(), work.resolve("out-last"),
                List.of("-e", envFile.toString())).awaitPing(otherPort);
                RawWireClient client = RawWireClient.connect("127.0.0.1", otherPort)) {
            client.login(EnvFile.USER, EnvFile.PASSWORD);
            assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(600);
            assertAllPresent(client, acknowledged);
            assertThat(last.stop()).isZero();
        }
    }

    private static void writeUntilKilled(int port, int round, int writer, java.util.Map<String, Integer> acknowledged,
            AtomicInteger writes) {
        try (RawWireClient client = RawWireClient.connect("127.0.0.1", port)) {
            client.login(EnvFile.USER, EnvFile.PASSWORD);
            for (int i = 0; ; i++) {
                String key = "r" + round + "-w" + writer + "-" + i;
                client.ok(request("PUT").put("db", "crash").put("key", key).set("doc", doc("{'i': " + i + "}")));
                acknowledged.put(key, i);
                writes.incrementAndGet();
            }
        } catch (IOException | AssertionError expected) {
            // the server was killed: the write in flight may or may not have been applied
        }
    }

    private static void assertAllPresent(RawWireClient client, java.util.Map<String, Integer> acknowledged) throws IOException {
        for (var entry : new java.util.TreeMap<>(acknowledged).entrySet()) {
            ObjectNode reply = client.call(request("GET").put("db", "crash").put("key", entry.getKey()));
            assertThat(reply.get("ok").booleanValue()).as("acknowledged write %s: %s", entry.getKey(), reply).isTrue();
            assertThat(reply.get("result").get("doc").get("i").intValue()).isEqualTo(entry.getValue());
        }
    }

    private static long count(RawWireClient client, String db, String filter) throws IOException {
        return client.ok(request("COUNT").put("db", db).set("filter", doc(filter))).longValue();
    }

    private static List<String> names(JsonNode array) {
        List<String> names = new ArrayList<>();
        array.forEach(n -> names.add(n.textValue()));
        return names;
    }

    private static void writeFrame(Socket socket, ObjectNode body) throws IOException {
        byte[] bytes = RawWireClient.JSON.writeValueAsBytes(body);
        socket.getOutputStream().write(("QUERY_LENGTH: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    private static ObjectNode readFrame(InputStream in) throws IOException {
        StringBuilder header = new StringBuilder();
        while (!header.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("closed after header bytes: " + header);
            }
            header.append((char) b);
        }
        int length = Integer.parseInt(header.toString().replaceAll("(?s)^QUERY_LENGTH:\\s*(\\d+)\\s*$", "$1"));
        byte[] body = in.readNBytes(length);
        return (ObjectNode) RawWireClient.JSON.readTree(body);
    }

    private static void assertClosed(Socket socket) {
        assertThatThrownBy(() -> {
            int b = socket.getInputStream().read();
            if (b < 0) {
                throw new EOFException("closed");
            }
        }).as("the server closes the connection").isInstanceOfAny(EOFException.class, SocketException.class);
    }
}
