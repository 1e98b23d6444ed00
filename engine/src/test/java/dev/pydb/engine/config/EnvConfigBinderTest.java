package dev.pydb.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EnvConfigBinderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MINIMAL = """
            {"storage": {"provider": "json"},
             "auth": {"users": [{"username": "admin", "password_hash": "pbkdf2-sha256$210000$EWtRIrqQ+/5kA9LZLsnnpw$nO59gKpUg/8vtCCyrX3xdKlAbRZC2e9Fl7XMN3RTBsc", "roles": ["admin"]}]}}
            """;

    @TempDir
    Path dir;

    @Test
    void a_minimal_file_gets_the_documented_defaults() {
        EnvConfig config = bind(MINIMAL);
        assertThat(config.server()).isEqualTo(ServerConfig.defaults("127.0.0.1", 9440));
        assertThat(config.storage().provider()).isEqualTo("json");
        assertThat(config.storage().path()).isEqualTo("data/py_db");
        assertThat(config.storage().options().isEmpty()).isTrue();
        assertThat(config.auth().tokenTtlSeconds()).isEqualTo(3600);
        assertThat(config.auth().users()).singleElement().satisfies(user -> {
            assertThat(user.username()).isEqualTo("admin");
            assertThat(user.passwordHash()).isEqualTo("pbkdf2-sha256$210000$EWtRIrqQ+/5kA9LZLsnnpw$nO59gKpUg/8vtCCyrX3xdKlAbRZC2e9Fl7XMN3RTBsc");
            assertThat(user.hasPlainTextPassword()).isFalse();
            assertThat(user.roles()).containsExactly("admin");
        });
        assertThat(config.logging()).isEqualTo(new LoggingConfig("INFO", true, "logs/py_db.log"));
        assertThat(config.plugins()).isEqualTo(new PluginsConfig("plugins"));
    }

    @Test
    void the_pre_authentication_limits_are_bound_and_default_from_max_connections_and_the_idle_timeout() {
        assertThat(ServerConfig.defaults("127.0.0.1", 9440).preAuth()).as("defaults for max_connections 1024, idle 300 s")
                .isEqualTo(new PreAuthConfig(256, 64, 10));
        assertThat(bind(with("server", "{\"max_connections\": 64}")).server().preAuth())
                .isEqualTo(new PreAuthConfig(16, 8, 10));
        assertThat(bind(with("server", "{\"max_connections\": 8, \"idle_timeout_seconds\": 4}")).server().preAuth())
                .isEqualTo(new PreAuthConfig(8, 4, 4));
        assertThat(bind(with("server", "{\"max_unauthenticated_connections\": 300}")).server().preAuth())
                .as("the per-address default follows max_unauthenticated_connections, capped at 64")
                .isEqualTo(new PreAuthConfig(300, 64, 10));
        assertThat(bind(with("server", """
                {"max_connections": 100, "max_unauthenticated_connections": 20,
                 "max_unauthenticated_connections_per_address": 3, "unauthenticated_timeout_seconds": 2}
                """)).server().preAuth()).isEqualTo(new PreAuthConfig(20, 3, 2));
    }

    @Test
    void a_full_file_is_bound_completely() {
        EnvConfig config = bind("""
                {"server": {"host": "0.0.0.0", "port": 0, "max_connections": 10, "max_query_length": 2048,
                            "max_document_bytes": 1024, "max_batch_ops": 5, "idle_timeout_seconds": 7,
                            "frame_timeout_seconds": 3},
                 "storage": {"provider": "lmdb", "path": "/var/lib/pydb", "options": {"map_size": 1073741824}},
                 "auth": {"token_ttl_seconds": 60,
                          "users": [{"username": "admin", "password_hash": "pbkdf2-sha256$210000$EWtRIrqQ+/5kA9LZLsnnpw$nO59gKpUg/8vtCCyrX3xdKlAbRZC2e9Fl7XMN3RTBsc", "roles": ["admin"]},
                                    {"username": "app", "password": "pw", "roles": ["readWrite:shop", "read:*", "read:logs"]}]},
                 "logging": {"level": "debug", "console": false, "file": null},
                 "plugins": {"dir": "/opt/plugins"}}
                """);
        assertThat(config.server()).isEqualTo(new ServerConfig("0.0.0.0", 0, 10, 2048, 1024, 5, 7, 3));
        assertThat(config.storage().path()).isEqualTo("/var/lib/pydb");
        assertThat(config.storage().options().get("map_size").longValue()).isEqualTo(1073741824L);
        assertThat(config.auth().tokenTtlSeconds()).isEqualTo(60);
        assertThat(config.auth().users().get(1).password()).isEqualTo("pw");
        assertThat(config.auth().users().get(1).roles()).containsExactly("readWrite:shop", "read:*", "read:logs");
        assertThat(config.logging()).isEqualTo(new LoggingConfig("DEBUG", false, null));
        assertThat(config.plugins().dir()).isEqualTo("/opt/plugins");
    }

    @Test
    void unknown_keys_are_named_by_their_full_path() {
        assertFails(with("server", "{\"prot\": 9440}")).hasMessageStartingWith("server.prot: unknown key");
        assertFails(MINIMAL.replace("{\"storage\"", "{\"extra\": 1, \"storage\"")).hasMessageStartingWith("extra:");
        assertFails(MINIMAL.replace("\"provider\": \"json\"", "\"provider\": \"json\", \"flavour\": 1"))
                .hasMessageStartingWith("storage.flavour:");
        assertFails(MINIMAL.replace("\"roles\": [\"admin\"]", "\"roles\": [\"admin\"], \"nick\": \"x\""))
                .hasMessageStartingWith("auth.users[0].nick:");
        assertFails(with("logging", "{\"colour\": true}")).hasMessageStartingWith("logging.colour:");
        assertFails(with("plugins", "{\"path\": \"x\"}")).hasMessageStartingWith("plugins.path:");
    }

    @Test
    void required_keys_are_named_when_missing() {
        assertFails("{\"auth\": {\"users\": []}}").hasMessageStartingWith("storage: is required");
        assertFails("{\"storage\": {}, \"auth\": {\"users\": []}}").hasMessageStartingWith("storage.provider: is required");
        assertFails("{\"storage\": {\"provider\": \"json\"}}").hasMessageStartingWith("auth: is required");
        assertFails("{\"storage\": {\"provider\": \"json\"}, \"auth\": {}}").hasMessageStartingWith("auth.users: is required");
        assertFails("{\"storage\": {\"provider\": \"json\"}, \"auth\": {\"users\": []}}")
                .hasMessageStartingWith("auth.users: must list at least one user");
        assertFails(users("{\"password\": \"x\", \"roles\": []}")).hasMessageStartingWith("auth.users[0].username: is required");
        assertFails(users("{\"username\": \"a\", \"roles\": []}")).hasMessageStartingWith("auth.users[0].password_hash: is required");
        assertFails(users("{\"username\": \"a\", \"password\": \"x\"}")).hasMessageStartingWith("auth.users[0].roles: is required");
    }

    @Test
    void a_user_has_exactly_one_of_password_hash_and_password() {
        assertFails(users("{\"username\": \"a\", \"password\": \"x\", \"password_hash\": \"h\", \"roles\": []}"))
                .hasMessageStartingWith("auth.users[0].password:")
                .hasMessageContaining("not both");
        assertFails(users("{\"username\": \"a\", \"password\": \"\", \"roles\": []}"))
                .hasMessageStartingWith("auth.users[0].password: must be a non-empty string");
    }

    @Test
    void usernames_are_unique() {
        assertFails(users("{\"username\": \"a\", \"password\": \"x\", \"roles\": []}",
                "{\"username\": \"b\", \"password\": \"x\", \"roles\": []}",
                "{\"username\": \"a\", \"password\": \"y\", \"roles\": []}"))
                .hasMessageStartingWith("auth.users[2].username: duplicate username 'a'")
                .hasMessageContaining("auth.users[0]");
    }

    @ParameterizedTest
    @CsvSource({"admin,true", "read:shop,true", "readWrite:shop,true", "read:*,true", "readWrite:*,true",
            "read:a-b_C9,true", "Admin,false", "write:shop,false", "read:,false", "read:../etc,false",
            "readwrite:shop,false", "read:shop:x,false", "' admin',false"})
    void roles_follow_the_syntax(String role, boolean valid) {
        String file = users("{\"username\": \"a\", \"password\": \"x\", \"roles\": [\"read:*\", \"" + role + "\"]}");
        if (valid) {
            assertThat(bind(file).auth().users().get(0).roles()).containsExactly("read:*", role);
        } else {
            assertFails(file).hasMessageStartingWith("auth.users[0].roles[1]: must be admin, read:<db|*> or readWrite:<db|*>");
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"port\": 65536}|server.port: must be between 0 and 65535",
            "{\"port\": -1}|server.port: must be between 0 and 65535",
            "{\"port\": \"9440\"}|server.port: must be an integer",
            "{\"port\": 94.5}|server.port: must be an integer",
            "{\"host\": \"\"}|server.host: must be a non-empty string",
            "{\"host\": 127}|server.host: must be a non-empty string",
            "{\"max_connections\": 0}|server.max_connections: must be between 1 and",
            "{\"max_query_length\": 3000000000}|server.max_query_length: must be between 1 and",
            "{\"max_document_bytes\": -5}|server.max_document_bytes: must be between 1 and",
            "{\"max_batch_ops\": 0}|server.max_batch_ops:",
            "{\"idle_timeout_seconds\": 0}|server.idle_timeout_seconds:",
            "{\"frame_timeout_seconds\": null}|server.frame_timeout_seconds: must be an integer",
            "{\"max_query_length\": 100, \"max_document_bytes\": 200}|server.max_document_bytes: must not be larger",
            "{\"max_connections\": 64, \"max_unauthenticated_connections\": 65}|server.max_unauthenticated_connections: "
                    + "must not be larger than server.max_connections (64), was 65",
            "{\"max_unauthenticated_connections\": 10, \"max_unauthenticated_connections_per_address\": 11}|"
                    + "server.max_unauthenticated_connections_per_address: must not be larger than "
                    + "server.max_unauthenticated_connections (10), was 11",
            "{\"unauthenticated_timeout_seconds\": 301}|server.unauthenticated_timeout_seconds: must not be larger than "
                    + "server.idle_timeout_seconds (300), was 301",
            "{\"unauthenticated_timeout_seconds\": 0}|server.unauthenticated_timeout_seconds: must be between 1 and",
            "{\"max_unauthenticated_connections_per_address\": \"8\"}|server.max_unauthenticated_connections_per_address: "
                    + "must be an integer"})
    void bad_server_values_name_the_key_and_the_expectation(String server, String message) {
        assertFails(with("server", server)).hasMessageStartingWith(message);
    }

    @Test
    void bad_values_of_other_sections_name_the_key() {
        assertFails(with("server", "[]")).hasMessageStartingWith("server: must be an object");
        assertFails(with("logging", "{\"level\": \"LOUD\"}")).hasMessageStartingWith("logging.level: must be one of");
        assertFails(with("logging", "{\"console\": \"yes\"}")).hasMessageStartingWith("logging.console: must be true or false");
        assertFails(with("logging", "{\"file\": 3}")).hasMessageStartingWith("logging.file:");
        assertFails(with("plugins", "{\"dir\": \"\"}")).hasMessageStartingWith("plugins.dir:");
        assertFails(MINIMAL.replace("\"provider\": \"json\"", "\"provider\": \"json\", \"options\": []"))
                .hasMessageStartingWith("storage.options: must be an object");
        assertFails(MINIMAL.replace("\"provider\": \"json\"", "\"provider\": \"json\", \"path\": 5"))
                .hasMessageStartingWith("storage.path:");
        assertFails(MINIMAL.replace("\"auth\": {", "\"auth\": {\"token_ttl_seconds\": 0, "))
                .hasMessageStartingWith("auth.token_ttl_seconds: must be between 1 and");
        assertFails(MINIMAL.replace("[{\"username\"", "[\"admin\", {\"username\""))
                .hasMessageStartingWith("auth.users[0]: must be an object");
        assertFails(MINIMAL.replace("[\"admin\"]", "[7]")).hasMessageStartingWith("auth.users[0].roles[0]:");
    }

    @Test
    void reads_a_file() throws IOException {
        Path file = Files.writeString(dir.resolve("env.json"), MINIMAL);
        assertThat(EnvConfigBinder.read(file).storage().provider()).isEqualTo("json");
    }

    @Test
    void a_file_that_is_not_json_fails_with_its_path_line_and_column() throws IOException {
        Path file = Files.writeString(dir.resolve("env.json"), "{\n  \"storage\": {\"provider\": \"json\",}\n}");
        assertThatThrownBy(() -> EnvConfigBinder.read(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ": not valid JSON at line 2, column ");
    }

    @Test
    void duplicate_keys_in_the_file_are_an_error() throws IOException {
        Path file = Files.writeString(dir.resolve("env.json"), MINIMAL.replace("{\"storage\"",
                "{\"storage\": {\"provider\": \"lmdb\"}, \"storage\""));
        assertThatThrownBy(() -> EnvConfigBinder.read(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("Duplicate field 'storage'");
    }

    @Test
    void a_missing_or_non_object_file_fails_with_its_path() throws IOException {
        Path missing = dir.resolve("nope.json");
        assertThatThrownBy(() -> EnvConfigBinder.read(missing))
                .isInstanceOf(ConfigException.class)
                .hasMessage(missing + ": environment file not found");
        Path array = Files.writeString(dir.resolve("array.json"), "[]");
        assertThatThrownBy(() -> EnvConfigBinder.read(array)).hasMessage(array + ": must hold a JSON object");
        Path empty = Files.writeString(dir.resolve("empty.json"), "");
        assertThatThrownBy(() -> EnvConfigBinder.read(empty)).hasMessageStartingWith(empty.toString());
    }

    @Test
    void hardening_keys_have_safe_defaults() {
        EnvConfig config = bind(MINIMAL);
        assertThat(config.server().maxUnauthenticatedQueryLength()).isEqualTo(64 * 1024);
        assertThat(config.server().allowPlaintextPasswordsOnNetwork()).isFalse();
        assertThat(config.server().tls()).isEqualTo(TlsConfig.DISABLED);
        assertThat(config.auth().loginFailuresBeforeLockout()).isEqualTo(5);
        assertThat(config.auth().lockoutSeconds()).isEqualTo(5);
        assertThat(config.auth().maxLockoutSeconds()).isEqualTo(900);
        assertThat(bind(with("server", "{\"max_query_length\": 1000, \"max_document_bytes\": 1000}")).server().maxUnauthenticatedQueryLength())
                .as("capped at max_query_length").isEqualTo(1000);
    }

    @Test
    void hardening_keys_are_bound_and_checked() {
        EnvConfig config = bind(with("server", """
                {"max_unauthenticated_query_length": 4096, "allow_plaintext_passwords_on_network": true,
                 "tls": {"enabled": true, "key_store": "conf/server.p12", "key_store_password": "pw"}}"""));
        assertThat(config.server().maxUnauthenticatedQueryLength()).isEqualTo(4096);
        assertThat(config.server().allowPlaintextPasswordsOnNetwork()).isTrue();
        assertThat(config.server().tls()).isEqualTo(new TlsConfig(true, "conf/server.p12", "pw", "PKCS12", null, null));
        assertThat(config.server().tls().toString()).doesNotContain("pw,");

        assertFails(with("server", "{\"max_query_length\": 1000, \"max_unauthenticated_query_length\": 1001}"))
                .hasMessageStartingWith("server.max_unauthenticated_query_length");
        assertFails(with("server", "{\"tls\": {\"enabled\": true}}")).hasMessageStartingWith("server.tls");
        assertFails(with("server", "{\"tls\": {\"enabled\": true, \"key_store\": \"a\", \"certificate\": \"b\"}}"))
                .hasMessageStartingWith("server.tls");
        assertFails(with("server", "{\"tls\": {\"enabled\": true, \"certificate\": \"b\"}}"))
                .hasMessageStartingWith("server.tls.private_key");
        assertFails(with("server", "{\"tls\": {\"enable\": true}}")).hasMessageStartingWith("server.tls.enable: unknown key");
    }

    @Test
    void lockout_keys_are_bound_and_checked() {
        String auth = """
                {"storage": {"provider": "json"}, "auth": {"users": [{"username": "a", "password": "p", "roles": []}],
                 "login_failures_before_lockout": 3, "lockout_seconds": 2, "max_lockout_seconds": 60}}""";
        AuthConfig config = bind(auth).auth();
        assertThat(config.loginFailuresBeforeLockout()).isEqualTo(3);
        assertThat(config.lockoutSeconds()).isEqualTo(2);
        assertThat(config.maxLockoutSeconds()).isEqualTo(60);
        assertFails(auth.replace("\"max_lockout_seconds\": 60", "\"max_lockout_seconds\": 1"))
                .hasMessageStartingWith("auth.max_lockout_seconds");
        assertFails(auth.replace("\"login_failures_before_lockout\": 3", "\"login_failures_before_lockout\": 0"))
                .hasMessageStartingWith("auth.login_failures_before_lockout");
    }

    private static String with(String section, String value) {
        return MINIMAL.replaceFirst("\\{", "{\"" + section + "\": " + value.replace("$", "\\$") + ", ");
    }

    private static String users(String... users) {
        return "{\"storage\": {\"provider\": \"json\"}, \"auth\": {\"users\": [" + String.join(", ", List.of(users)) + "]}}";
    }

    private static EnvConfig bind(String json) {
        try {
            return EnvConfigBinder.bind((ObjectNode) JSON.readTree(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertFails(String json) {
        return assertThatThrownBy(() -> bind(json)).isInstanceOf(ConfigException.class);
    }
}
