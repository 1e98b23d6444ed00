package dev.pydb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pydb.client.PydbClient;
import dev.pydb.client.PydbClientConfig;
import dev.pydb.client.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lines of the interactive shell, run without a terminal against a real server. */
class ShellCommandsTest {
    @TempDir
    Path home;

    private TestServer server;
    private PydbClient client;
    private final StringWriter output = new StringWriter();
    private CliEnvironment environment;

    @BeforeEach
    void start() {
        server = TestServer.start(home);
        client = PydbClient.connect(PydbClientConfig.builder("127.0.0.1", server.port())
                .credentials("admin", "admin-pw").build());
        PrintWriter writer = new PrintWriter(output, true);
        environment = new CliEnvironment(writer, writer, Map.of(), user -> Optional.empty());
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private String line(String line) {
        output.getBuffer().setLength(0);
        assertThat(Shell.execute(line, environment.out(), client, environment, true)).isEqualTo(Shell.Flow.CONTINUE);
        return output.toString().trim();
    }

    @Test
    void runs_commands_with_json_arguments_that_contain_blanks() {
        assertThat(line("create-db shop")).isEqualTo("{\"db\":\"shop\"}");
        assertThat(line("put shop u1 {\"name\": \"Ann Lee\"}")).isEqualTo("{\"key\":\"u1\",\"rev\":1}");
        assertThat(line("get shop u1")).isEqualTo("{\"key\":\"u1\",\"rev\":1,\"doc\":{\"name\":\"Ann Lee\"}}");
        assertThat(line("find shop {\"name\": \"Ann Lee\"} --limit 5")).contains("\"key\":\"u1\"");
        assertThat(line("")).isEmpty();
    }

    @Test
    void errors_are_printed_and_the_shell_goes_on() {
        assertThat(line("get shop u1")).startsWith("error: DB_NOT_FOUND: ");
        assertThat(line("get 'shop")).startsWith("error: unclosed '");
        assertThat(line("frobnicate")).isEqualTo("unknown command: frobnicate (type help)");
        assertThat(line("put shop u1 {oops}")).contains("is not valid JSON");
        assertThat(line("ping")).isEqualTo("\"PONG\"");
    }

    @Test
    void help_lists_the_commands_and_quit_leaves() {
        assertThat(line("help")).contains("create-db", "find", "batch", "quit");
        assertThat(line("help put")).contains("--rev", "<json>");

        assertThat(Shell.execute("quit", environment.out(), client, environment, true)).isEqualTo(Shell.Flow.QUIT);
        assertThat(Shell.execute("EXIT", environment.out(), client, environment, true)).isEqualTo(Shell.Flow.QUIT);
    }
}
