package dev.pydb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pydb.client.TestServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pydb-cli <command>} against a real in-process server: output and exit codes. */
class OneShotCommandsTest {
    @TempDir
    Path home;

    private TestServer server;
    private final Map<String, String> env = new HashMap<>(Map.of("PYDB_PASSWORD", "admin-pw"));
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private int prompts;
    private boolean shellStarted;

    @BeforeEach
    void start() {
        server = TestServer.start(home);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        String[] full = new String[args.length + 4];
        full[0] = "-p";
        full[1] = String.valueOf(server.port());
        full[2] = "-u";
        full[3] = "admin";
        System.arraycopy(args, 0, full, 4, args.length);
        return runRaw(full);
    }

    private int runRaw(String... args) {
        CliEnvironment environment = new CliEnvironment(new PrintWriter(out, true), new PrintWriter(err, true), env,
                user -> {
                    prompts++;
                    return Optional.empty();
                });
        return PydbCli.run(args, environment, (options, e) -> {
            shellStarted = true;
            return 0;
        });
    }

    @Test
    void ping_prints_pong() {
        assertThat(run("ping")).isZero();
        assertThat(out.toString()).isEqualTo("\"PONG\"" + System.lineSeparator());
        assertThat(prompts).isZero();
    }

    @Test
    void document_commands_print_the_results_pretty_or_compact() {
        assertThat(run("create-db", "shop")).isZero();
        assertThat(run("--json", "put", "shop", "u1", "{\"name\": \"Ann\", \"age\": 30}")).isZero();
        assertThat(out.toString().trim()).isEqualTo("{\"key\":\"u1\",\"rev\":1}");

        assertThat(run("get", "shop", "u1")).isZero();
        assertThat(out.toString()).contains("\"rev\" : 1", "\"name\" : \"Ann\"").contains(System.lineSeparator() + "  ");

        assertThat(run("--json", "update", "shop", "u1", "{\"age\": 31}", "--rev", "1")).isZero();
        assertThat(out.toString().trim()).isEqualTo("{\"key\":\"u1\",\"rev\":2}");
        assertThat(run("--json", "insert", "shop", "{\"name\": \"Bob\"}", "--key", "u2")).isZero();
        assertThat(run("--json", "insert", "shop", "{\"name\": \"Cy\"}")).isZero();
        assertThat(out.toString()).contains("\"rev\":1");

        assertThat(run("--json", "find", "shop", "{\"name\": {\"$in\": [\"Ann\", \"Bob\"]}}", "--limit", "1")).isZero();
        assertThat(out.toString()).contains("\"key\":\"u1\"").contains("\"next\":\"u1\"");
        assertThat(run("--json", "find", "shop", "--after", "u1", "--limit", "1")).isZero();
        assertThat(out.toString()).contains("\"key\":\"u2\"");
        assertThat(run("--json", "find", "shop", "--all", "--limit", "1")).isZero();
        assertThat(out.toString()).contains("\"u1\"", "\"u2\"").startsWith("[");
        assertThat(run("count", "shop", "{\"age\": {\"$gte\": 31}}")).isZero();
        assertThat(out.toString().trim()).isEqualTo("1");

        assertThat(run("--json", "batch", "shop", "[{\"action\": \"DELETE\", \"key\": \"u2\"}, {\"action\": \"PUT\", \"key\": \"u3\", \"doc\": {}}]")).isZero();
        assertThat(out.toString().trim()).isEqualTo("{\"results\":[{\"key\":\"u2\",\"deleted\":true},{\"key\":\"u3\",\"rev\":1}]}");
        assertThat(run("--json", "delete", "shop", "u3", "--rev", "1")).isZero();
        assertThat(run("--json", "dbs")).isZero();
        assertThat(out.toString().trim()).isEqualTo("[\"shop\"]");
        assertThat(run("--json", "call", "list_dbs")).isZero();
        assertThat(out.toString().trim()).isEqualTo("[\"shop\"]");
        assertThat(run("stats")).isZero();
        assertThat(out.toString()).contains("\"provider\" : \"json\"");
        assertThat(run("drop-db", "shop")).isZero();
    }

    @Test
    void a_server_error_exits_1_with_its_code_on_stderr() {
        run("create-db", "shop");

        assertThat(run("get", "shop", "nobody")).isEqualTo(1);
        assertThat(err.toString()).startsWith("error: NOT_FOUND: ");
        assertThat(out.toString()).isEmpty();
        assertThat(run("put", "shop", "u1", "{}", "--rev", "5")).isEqualTo(1);
        assertThat(err.toString()).startsWith("error: CONFLICT: ");
        assertThat(run("call", "NOPE", "{}")).isEqualTo(1);
        assertThat(err.toString()).startsWith("error: UNKNOWN_ACTION: ");

        env.put("PYDB_PASSWORD", "wrong");
        assertThat(run("dbs")).isEqualTo(1);
        assertThat(err.toString()).startsWith("error: UNAUTHENTICATED: ");
    }

    @Test
    void usage_errors_exit_2() {
        assertThat(run("get", "shop")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required parameter");
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(run("put", "shop", "u1", "{not json")).isEqualTo(2);
        assertThat(err.toString()).contains("<json> is not valid JSON");
        assertThat(run("put", "shop", "u1", "[1]")).isEqualTo(2);
        assertThat(err.toString()).contains("<json> must be a JSON object");
        assertThat(run("batch", "shop", "{}")).isEqualTo(2);
        assertThat(run("--port", "x", "ping")).isEqualTo(2);
    }

    @Test
    void without_a_password_in_the_environment_it_prompts_and_fails_cleanly_without_a_terminal() {
        env.remove("PYDB_PASSWORD");

        assertThat(run("dbs")).isEqualTo(2);

        assertThat(prompts).isEqualTo(1);
        assertThat(err.toString()).contains("no password for admin");
    }

    @Test
    void an_unreachable_server_exits_3() throws IOException {
        int freePort;
        try (ServerSocket socket = new ServerSocket(0)) {
            freePort = socket.getLocalPort();
        }
        assertThat(runRaw("-p", String.valueOf(freePort), "ping")).isEqualTo(3);
        assertThat(err.toString()).startsWith("error: CONNECTION_FAILED: ");
    }

    @Test
    void no_command_starts_the_shell_and_help_does_not() {
        assertThat(runRaw("--help")).isZero();
        assertThat(out.toString()).contains("Usage: pydb-cli", "PYDB_PASSWORD", "create-db");
        assertThat(shellStarted).isFalse();

        assertThat(runRaw("-p", String.valueOf(server.port()))).isZero();
        assertThat(shellStarted).isTrue();
    }
}
