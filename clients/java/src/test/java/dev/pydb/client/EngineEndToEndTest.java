package dev.pydb.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine end to end through the client: a real server in-process (production transport,
 * dispatcher, authenticator, json backend), every action of the contract and its typed errors.
 */
class EngineEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    java.nio.file.Path home;

    private TestServer server;
    private PydbClient admin;

    @BeforeEach
    void start() {
        server = TestServer.start(home);
        admin = server.client("admin");
        admin.createDb("shop");
    }

    @AfterEach
    void stop() {
        admin.close();
        server.close();
    }

    static ObjectNode json(String text) {
        try {
            return (ObjectNode) JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void ping_answers_pong_without_credentials() {
        try (PydbClient anonymous = PydbClient.connect(
                PydbClientConfig.builder("127.0.0.1", server.port()).build())) {
            assertThat(anonymous.ping()).isEqualTo("PONG");
            assertThatThrownBy(anonymous::listDbs).isInstanceOf(UnauthenticatedException.class)
                    .extracting(e -> ((PydbClientException) e).code()).isEqualTo("UNAUTHENTICATED");
        }
    }

    @Test
    void connect_with_a_wrong_password_fails_unauthenticated() {
        assertThatThrownBy(() -> PydbClient.connect(PydbClientConfig.builder("127.0.0.1", server.port())
                .credentials("admin", "wrong").build()))
                .isInstanceOf(UnauthenticatedException.class)
                .hasMessage("invalid username or password");
    }

    @Test
    void create_list_and_drop_databases() {
        assertThat(admin.createDb("logs")).isEqualTo("logs");
        assertThat(admin.listDbs()).containsExactly("logs", "shop");
        assertThatThrownBy(() -> admin.createDb("logs")).isInstanceOf(DbExistsException.class);

        admin.dropDb("logs");

        assertThat(admin.listDbs()).containsExactly("shop");
        assertThatThrownBy(() -> admin.dropDb("logs")).isInstanceOf(DbNotFoundException.class);
        assertThatThrownBy(() -> admin.createDb("../etc")).isInstanceOf(BadRequestException.class);
    }

    @Test
    void insert_get_put_update_delete_with_revisions() {
        Written inserted = admin.insert("shop", "u1", json("{\"name\": \"Ann\", \"age\": 30}"));
        assertThat(inserted).isEqualTo(new Written("u1", 1));
        assertThatThrownBy(() -> admin.insert("shop", "u1", json("{}"))).isInstanceOf(KeyExistsException.class);

        Doc doc = admin.get("shop", "u1");
        assertThat(doc.key()).isEqualTo("u1");
        assertThat(doc.rev()).isEqualTo(1);
        assertThat(doc.doc()).isEqualTo(json("{\"name\": \"Ann\", \"age\": 30}"));

        assertThat(admin.put("shop", "u1", json("{\"name\": \"Ann\", \"age\": 31}"), 1)).isEqualTo(new Written("u1", 2));
        assertThatThrownBy(() -> admin.put("shop", "u1", json("{}"), 1)).isInstanceOf(ConflictException.class)
                .extracting(e -> ((PydbClientException) e).code()).isEqualTo("CONFLICT");
        assertThat(admin.put("shop", "u2", json("{\"name\": \"Bob\"}"))).isEqualTo(new Written("u2", 1));
        assertThatThrownBy(() -> admin.put("shop", "u2", json("{}"), 0)).isInstanceOf(ConflictException.class);

        assertThat(admin.update("shop", "u1", json("{\"age\": 32, \"city\": \"Oslo\"}"))).isEqualTo(new Written("u1", 3));
        assertThat(admin.update("shop", "u1", json("{\"city\": null}"), 3)).isEqualTo(new Written("u1", 4));
        assertThat(admin.get("shop", "u1").doc()).isEqualTo(json("{\"name\": \"Ann\", \"age\": 32}"));
        assertThatThrownBy(() -> admin.update("shop", "nobody", json("{}"))).isInstanceOf(NotFoundException.class);

        assertThatThrownBy(() -> admin.delete("shop", "u1", 3)).isInstanceOf(ConflictException.class);
        assertThat(admin.delete("shop", "u1", 4)).isEqualTo(new Deleted("u1"));
        assertThat(admin.delete("shop", "u2")).isEqualTo(new Deleted("u2"));
        assertThatThrownBy(() -> admin.get("shop", "u1")).isInstanceOf(NotFoundException.class)
                .hasMessageContaining("u1");
        assertThatThrownBy(() -> admin.delete("shop", "u1")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> admin.get("nodb", "u1")).isInstanceOf(DbNotFoundException.class);
    }

    @Test
    void insert_without_a_key_gets_a_generated_one() {
        Written written = admin.insert("shop", json("{\"event\": \"order\"}"));

        assertThat(written.key()).hasSize(26);
        assertThat(written.rev()).isEqualTo(1);
        assertThat(admin.get("shop", written.key()).doc()).isEqualTo(json("{\"event\": \"order\"}"));
    }

    @Test
    void find_pages_through_filtered_documents_and_count_counts_them() {
        for (int i = 0; i < 25; i++) {
            admin.put("shop", "k%02d".formatted(i), json("{\"n\": " + i + ", \"even\": " + (i % 2 == 0) + "}"));
        }
        ObjectNode even = json("{\"even\": true}");

        Page first = admin.find("shop", Query.all().where(even).limit(5));
        assertThat(first.docs()).extracting(Doc::key).containsExactly("k00", "k02", "k04", "k06", "k08");
        assertThat(first.next()).contains("k08");
        Page second = admin.find("shop", Query.all().where(even).limit(5).after("k08"));
        assertThat(second.docs()).extracting(Doc::key).startsWith("k10");

        List<String> all = new ArrayList<>();
        admin.findAll("shop", Query.all().where(even).limit(4)).forEach(doc -> all.add(doc.key()));
        assertThat(all).hasSize(13).startsWith("k00").endsWith("k24").isSorted();
        assertThat(admin.find("shop", Query.all()).next()).isEmpty();

        assertThat(admin.count("shop")).isEqualTo(25);
        assertThat(admin.count("shop", json("{\"n\": {\"$gte\": 20}}"))).isEqualTo(5);
        assertThatThrownBy(() -> admin.find("shop", Query.all().limit(10_001))).isInstanceOf(LimitExceededException.class);
        assertThatThrownBy(() -> admin.count("shop", json("{\"n\": {\"$bogus\": 1}}"))).isInstanceOf(BadRequestException.class);
    }

    @Test
    void batch_applies_all_operations_or_none() {
        admin.put("shop", "u1", json("{\"orders\": 0}"));
        admin.put("shop", "cart", json("{}"));

        List<WriteResult> results = admin.batch("shop", Batch.builder()
                .insert("o1", json("{\"total\": 10}"))
                .update("u1", json("{\"orders\": 1}"), 1)
                .delete("cart")
                .insert(json("{\"event\": \"order\"}"))
                .build());

        assertThat(results).hasSize(4);
        assertThat(results.get(0)).isEqualTo(new Written("o1", 1));
        assertThat(results.get(1)).isEqualTo(new Written("u1", 2));
        assertThat(results.get(2)).isEqualTo(new Deleted("cart"));
        assertThat(results.get(3)).isInstanceOf(Written.class);

        assertThatThrownBy(() -> admin.batch("shop", Batch.builder()
                .put("o2", json("{}"))
                .update("u1", json("{}"), 1)
                .build()))
                .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.index()).hasValue(1));
        assertThatThrownBy(() -> admin.get("shop", "o2")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void stats_are_for_admins_only() {
        admin.put("shop", "u1", json("{}"));

        ObjectNode stats = admin.stats();

        assertThat(stats.path("storage").path("provider").asText()).isEqualTo("json");
        assertThat(stats.path("databases").path("shop").asLong()).isEqualTo(1);
        try (PydbClient app = server.client("app")) {
            assertThatThrownBy(app::stats).isInstanceOf(ForbiddenException.class);
        }
    }

    @Test
    void roles_limit_what_a_user_may_do() {
        admin.createDb("logs");
        try (PydbClient app = server.client("app"); PydbClient reader = server.client("reader")) {
            assertThat(app.put("shop", "u1", json("{}")).rev()).isEqualTo(1);
            assertThat(app.listDbs()).containsExactly("shop");
            assertThatThrownBy(() -> app.put("logs", "l1", json("{}"))).isInstanceOf(ForbiddenException.class);
            assertThatThrownBy(() -> app.createDb("x")).isInstanceOf(ForbiddenException.class);
            assertThat(reader.get("shop", "u1").rev()).isEqualTo(1);
            assertThatThrownBy(() -> reader.delete("shop", "u1")).isInstanceOf(ForbiddenException.class);
        }
    }

    @Test
    void call_runs_plugin_and_unknown_actions() {
        JsonNode result = admin.call("TEST_ECHO", json("{\"value\": {\"a\": [1, 2]}}"));
        assertThat(result).isEqualTo(json("{\"user\": \"admin\", \"value\": {\"a\": [1, 2]}}"));
        assertThat(admin.call("test_echo", json("{}")).path("user").asText()).isEqualTo("admin");

        assertThatThrownBy(() -> admin.call("NO_SUCH_ACTION", json("{}"))).isInstanceOf(UnknownActionException.class);
        assertThatThrownBy(() -> admin.call("GET", json("{\"db\": \"shop\"}"))).isInstanceOf(BadRequestException.class);
    }

    @Test
    void login_returns_a_token_and_logout_revokes_it() {
        LoginResult login = admin.login("app", "app-pw");

        assertThat(login.token()).hasSize(43);
        assertThat(login.roles()).containsExactly("readWrite:shop");
        assertThat(login.expiresAt()).isEqualTo(server.clock().instant().plusSeconds(TestServer.TOKEN_TTL_SECONDS));
        assertThat(login.toString()).doesNotContain(login.token());
        ObjectNode withToken = json("{}");
        withToken.putObject("auth").put("token", login.token());
        assertThat(admin.call("LIST_DBS", withToken)).hasSize(1);

        admin.logout(login.token());

        assertThatThrownBy(() -> admin.call("LIST_DBS", withToken)).isInstanceOf(UnauthenticatedException.class);
        assertThatThrownBy(() -> admin.login("app", "nope")).isInstanceOf(UnauthenticatedException.class);
        assertThat(admin.listDbs()).containsExactly("shop");
    }

    @Test
    void oversized_documents_are_limit_exceeded() {
        ObjectNode big = json("{}").put("blob", "x".repeat(1_100_000));

        assertThatThrownBy(() -> admin.put("shop", "big", big)).isInstanceOf(LimitExceededException.class);
        assertThatThrownBy(() -> admin.put("shop", "k".repeat(256), json("{}"))).isInstanceOf(LimitExceededException.class);
        assertThat(admin.ping()).isEqualTo("PONG");
    }
}
