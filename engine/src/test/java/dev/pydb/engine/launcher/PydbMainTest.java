package dev.pydb.engine.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pydb.engine.config.LoggingConfig;
import dev.pydb.engine.fakes.FakeAuthenticator;
import dev.pydb.engine.fakes.FakeTransport;
import dev.pydb.engine.fakes.RecordingStorageProvider;
import dev.pydb.engine.logging.LogbackConfigurator;
import dev.pydb.engine.plugin.LoadedPlugin;
import dev.pydb.engine.plugin.PluginLoader;
import dev.pydb.engine.server.PydbVersion;
import dev.pydb.engine.server.ServerComponents;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PydbMainTest {
    private static final String ENV = """
            {"server": {"port": 0},
             "storage": {"provider": "cli-memory"},
             "auth": {"users": [{"username": "app", "password": "plain", "roles": ["read:*"]}]},
             "logging": {"console": false}}
            """;

    @TempDir
    Path home;

    private final RecordingStorageProvider provider = new RecordingStorageProvider("cli-memory");
    private final List<FakeTransport> transports = new CopyOnWriteArrayList<>();
    private final AtomicReference<Runnable> stopAction = new AtomicReference<>();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @AfterAll
    static void restoreLogging(@TempDir Path anywhere) {
        LogbackConfigurator.configure(new LoggingConfig("INFO", true, null), anywhere);
    }

    @Test
    void version_prints_the_filtered_version() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString().strip()).isEqualTo("py_db " + PydbVersion.current());
        assertThat(PydbVersion.current()).matches("\\d+\\.\\d+\\.\\d+.*");
    }

    @Test
    void help_lists_the_options() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("-e, --e-file=PATH").contains("-lid, --load-initial-data=PATH");
    }

    @Test
    void hash_password_reads_stdin_and_prints_a_hash_the_binder_accepts() throws IOException {
        java.io.InputStream originalIn = System.in;
        java.io.PrintStream originalOut = System.out;
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        try {
            System.setIn(new java.io.ByteArrayInputStream("s3cret\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            System.setOut(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
            assertThat(run("hash-password")).isZero();
        } finally {
            System.setIn(originalIn);
            System.setOut(originalOut);
        }
        String hash = printed.toString(java.nio.charset.StandardCharsets.UTF_8).strip();
        assertThat(hash).startsWith("pbkdf2-sha256$210000$");
        assertThat(dev.pydb.engine.auth.PasswordHasher.verify("s3cret", hash)).isTrue();
        assertThat(dev.pydb.engine.auth.PasswordHasher.verify("other", hash)).isFalse();
    }

    @Test
    void a_usage_error_exits_with_2() {
        assertThat(run("--bogus")).isEqualTo(2);
        assertThat(run("-e")).isEqualTo(2);
    }

    @Test
    void a_missing_environment_file_fails_with_one_line_and_exit_code_1() {
        assertThat(run()).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("py_db cannot start: " + home.resolve("conf/env.json")
                + ": environment file not found" + System.lineSeparator());
    }

    @Test
    void a_config_error_names_the_key() throws IOException {
        Files.writeString(home.resolve("env.json"), ENV.replace("\"port\": 0", "\"prot\": 0"));
        assertThat(run("-e", home.resolve("env.json").toString())).isEqualTo(1);
        assertThat(err.toString()).startsWith("py_db cannot start: server.prot: unknown key").doesNotContain("\tat ");
        assertThat(err.toString().lines()).hasSize(1);
    }

    @Test
    void an_unknown_provider_fails_with_the_available_names_on_stderr_and_in_the_log() throws IOException {
        Files.writeString(home.resolve("env.json"), ENV.replace("cli-memory", "nosuch"));
        assertThat(run("--e-file", home.resolve("env.json").toString())).isEqualTo(1);
        assertThat(err.toString()).startsWith("py_db cannot start: storage.provider: unknown provider 'nosuch' (available: ")
                .contains("cli-memory");
        LogbackConfigurator.stop();
        assertThat(home.resolve("logs/py_db.log")).content().contains("ERROR").contains("unknown provider 'nosuch'");
    }

    @Test
    void runs_until_stopped_then_closes_everything_and_exits_with_0() throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/env.json"), ENV);
        Files.writeString(home.resolve("seed.json"), "{\"databases\": {\"shop\": {\"k\": {}}}}");

        CompletableFuture<Integer> exitCode = CompletableFuture.supplyAsync(() -> run("-lid", home.resolve("seed.json").toString()));
        await().atMost(Duration.ofSeconds(10)).until(() -> stopAction.get() != null);
        assertThat(transports).singleElement().extracting(FakeTransport::state).isEqualTo("started");
        assertThat(provider.lastOpened().get("shop", "k")).isPresent();

        stopAction.get().run();

        assertThat(exitCode.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(transports.get(0).state()).isEqualTo("closed");
        assertThat(provider.lastOpened().isClosed()).isTrue();
        LogbackConfigurator.stop();
        assertThat(home.resolve("logs/py_db.log")).content()
                .contains("listening on 127.0.0.1:" + FakeTransport.PORT + " (provider cli-memory)")
                .contains("user 'app' has a plain-text password")
                .doesNotContain("plain\"")
                .contains("py_db stopped");
    }

    private int run(String... args) {
        ServerComponents components = new ServerComponents(
                dir -> List.of(PluginLoader.classPath(), new LoadedPlugin("p", dir.resolve("p"), getClass().getClassLoader(), List.of(provider), List.of())),
                (config, clock) -> new FakeAuthenticator(),
                (config, processor, stats) -> {
                    FakeTransport transport = new FakeTransport(config, processor, stats, null);
                    transports.add(transport);
                    return transport;
                },
                Clock.systemUTC(),
                Duration.ofSeconds(1));
        CommandLine commandLine = PydbMain.commandLine(new PydbMain(components, home, stopAction::set));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }
}
