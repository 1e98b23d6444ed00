package dev.pydb.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.testcontainers.DockerClientFactory;

/**
 * The Docker image built from {@code distribution/Dockerfile}, for every storage backend: the
 * protocol end to end, data on a volume across a clean restart, {@code docker stop} exiting 0,
 * the example plugin mounted into {@code plugins/}, and a broken environment file.
 */
@ExtendWith(DockerRequired.class)
class DockerImageIT {
    private static String image;

    private final List<String> volumes = new ArrayList<>();

    @TempDir
    Path work;

    @BeforeAll
    static void buildImage() {
        image = PydbImage.get();
    }

    @AfterEach
    void removeVolumes() {
        for (String volume : volumes) {
            DockerClientFactory.instance().client().removeVolumeCmd(volume).exec();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"json", "mapdb", "lmdb"})
    void servesDocumentsAndKeepsThemAcrossACleanRestart(String provider) throws IOException {
        Path env = envFile(provider);
        String volume = newVolume();

        try (PydbContainer server = new PydbContainer(image, env).withDataVolume(volume)) {
            server.start();
            try (RawWireClient client = server.connect()) {
                client.login(EnvFile.USER, EnvFile.PASSWORD);
                crudAndFind(client);
                assertThat(client.errorCode(RawWireClient.request("INCR").put("db", "shop").put("key", "c")))
                        .as("no INCR without the example plugin")
                        .isEqualTo("UNKNOWN_ACTION");
            }
            assertThat(server.dockerStop()).as("exit code of docker stop\n%s", server.getLogs()).isZero();
        }

        try (PydbContainer server = new PydbContainer(image, env).withDataVolume(volume)) {
            server.start();
            try (RawWireClient client = server.connect()) {
                client.login(EnvFile.USER, EnvFile.PASSWORD);
                JsonNode ada = get(client, "u1");
                assertThat(ada.path("rev").asLong()).isEqualTo(2);
                assertThat(ada.path("doc").path("age").asInt()).isEqualTo(37);
                assertThat(get(client, "u2").path("rev").asLong()).isEqualTo(2);
                assertThat(findKeys(client, ageOver30())).containsExactly("u1", "u3");
            }
            assertThat(server.getLogs()).as("a start after a clean stop").doesNotContainIgnoringCase("recover");
            assertThat(server.dockerStop()).as("exit code of docker stop\n%s", server.getLogs()).isZero();
        }
    }

    @Test
    void examplePluginMountedIntoPluginsAddsIncr() throws IOException {
        try (PydbContainer server = new PydbContainer(image, envFile("json"))
                .withPlugin("example-plugin-incr", Build.examplePluginJar())) {
            server.start();
            try (RawWireClient client = server.connect()) {
                client.login(EnvFile.USER, EnvFile.PASSWORD);
                client.ok(RawWireClient.request("CREATE_DB").put("db", "counters"));
                ObjectNode response = client.call(RawWireClient.request("INCR")
                        .put("db", "counters").put("key", "visits").put("field", "n").put("by", 1));
                assertThat(response.path("error").path("code").asText())
                        .as("INCR is served by the plugin: %s", response)
                        .isNotEqualTo("UNKNOWN_ACTION");
            }
            assertThat(server.dockerStop()).as(server.getLogs()).isZero();
        }
    }

    @Test
    void healthcheckTurnsHealthyOncePingAnswers() {
        try (PydbContainer server = new PydbContainer(image, envFile("json"))) {
            server.start();
            await("HEALTHCHECK status healthy").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(server::healthStatus, "healthy"::equals);
        }
    }

    @Test
    void unknownKeyInTheEnvFileStopsTheContainerWithTheReasonInItsLog() {
        ObjectNode env = EnvFile.of("0.0.0.0", PydbContainer.PORT, "json", "data/py_db", null);
        ((ObjectNode) env.get("server")).put("bogus_key", 1);
        try (PydbContainer server = new PydbContainer(image, EnvFile.write(env, work.resolve("env.json")))
                .expectingExit()) {
            server.start();
            assertThat(server.awaitExit(Duration.ofSeconds(60))).as(server.getLogs()).isNotZero();
            assertThat(server.getLogs()).contains("server.bogus_key");
        }
    }

    @Test
    void withoutAMountedEnvFileTheContainerRefusesToStart() {
        try (PydbContainer server = new PydbContainer(image, null).expectingExit()) {
            server.start();
            assertThat(server.awaitExit(Duration.ofSeconds(60))).as(server.getLogs()).isEqualTo(1);
            assertThat(server.getLogs()).contains("no environment file at /opt/pydb/conf/env.json");
        }
    }

    /** Creates, reads, updates, deletes and finds documents of a new database {@code shop}. */
    private static void crudAndFind(RawWireClient client) throws IOException {
        assertThat(client.ok(RawWireClient.request("CREATE_DB").put("db", "shop")).path("db").asText()).isEqualTo("shop");
        assertThat(client.ok(RawWireClient.request("LIST_DBS"))).extracting(JsonNode::asText).contains("shop");

        ObjectNode ada = RawWireClient.JSON.createObjectNode().put("name", "Ada").put("age", 36);
        ada.putObject("address").put("city", "London");
        ObjectNode insert = RawWireClient.request("INSERT").put("db", "shop").put("key", "u1");
        insert.set("doc", ada);
        assertThat(client.ok(insert).path("rev").asLong()).isEqualTo(1);
        assertThat(client.errorCode(insert)).isEqualTo("KEY_EXISTS");

        ObjectNode anonymous = RawWireClient.request("INSERT").put("db", "shop");
        anonymous.putObject("doc").put("name", "temporary");
        String generatedKey = client.ok(anonymous).path("key").asText();
        assertThat(generatedKey).isNotEmpty();

        assertThat(client.ok(put("u2", "Bob", 25, null, -1)).path("rev").asLong()).isEqualTo(1);
        assertThat(client.ok(put("u2", "Bob", 26, null, 1)).path("rev").asLong()).isEqualTo(2);
        assertThat(client.errorCode(put("u2", "Bob", 27, null, 1))).isEqualTo("CONFLICT");
        assertThat(client.ok(put("u3", "Cy", 41, "Paris", 0)).path("rev").asLong()).isEqualTo(1);

        assertThat(get(client, "u1").path("doc")).isEqualTo(ada);

        ObjectNode update = RawWireClient.request("UPDATE").put("db", "shop").put("key", "u1");
        update.putObject("patch").put("age", 37);
        assertThat(client.ok(update).path("rev").asLong()).isEqualTo(2);
        JsonNode updated = get(client, "u1").path("doc");
        assertThat(updated.path("age").asInt()).isEqualTo(37);
        assertThat(updated.path("name").asText()).isEqualTo("Ada");

        JsonNode deleted = client.ok(RawWireClient.request("DELETE").put("db", "shop").put("key", generatedKey));
        assertThat(deleted.path("deleted").asBoolean()).isTrue();
        assertThat(client.errorCode(RawWireClient.request("GET").put("db", "shop").put("key", generatedKey)))
                .isEqualTo("NOT_FOUND");

        assertThat(findKeys(client, ageOver30())).containsExactly("u1", "u3");
        ObjectNode inLondon = RawWireClient.JSON.createObjectNode().put("address.city", "London");
        assertThat(findKeys(client, inLondon)).containsExactly("u1");
        assertThat(findKeys(client, RawWireClient.JSON.createObjectNode())).containsExactly("u1", "u2", "u3");
    }

    private static ObjectNode put(String key, String name, int age, String city, long rev) {
        ObjectNode put = RawWireClient.request("PUT").put("db", "shop").put("key", key);
        ObjectNode doc = put.putObject("doc").put("name", name).put("age", age);
        if (city != null) {
            doc.putObject("address").put("city", city);
        }
        if (rev >= 0) {
            put.put("rev", rev);
        }
        return put;
    }

    private static JsonNode get(RawWireClient client, String key) throws IOException {
        return client.ok(RawWireClient.request("GET").put("db", "shop").put("key", key));
    }

    private static ObjectNode ageOver30() {
        ObjectNode filter = RawWireClient.JSON.createObjectNode();
        filter.putObject("age").put("$gt", 30);
        return filter;
    }

    private static List<String> findKeys(RawWireClient client, ObjectNode filter) throws IOException {
        ObjectNode find = RawWireClient.request("FIND").put("db", "shop");
        find.set("filter", filter);
        JsonNode result = client.ok(find);
        assertThat(result.path("next").isNull()).as("one page: %s", result).isTrue();
        List<String> keys = new ArrayList<>();
        result.path("docs").forEach(doc -> keys.add(doc.path("key").asText()));
        return keys;
    }

    private Path envFile(String provider) {
        return EnvFile.write(EnvFile.of("0.0.0.0", PydbContainer.PORT, provider, "data/py_db", null),
                work.resolve("env-" + provider + ".json"));
    }

    private String newVolume() {
        String volume = "pydb-e2e-" + UUID.randomUUID();
        DockerClientFactory.instance().client().createVolumeCmd().withName(volume).exec();
        volumes.add(volume);
        return volume;
    }
}
