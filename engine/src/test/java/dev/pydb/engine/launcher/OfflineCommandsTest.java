package dev.pydb.engine.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageContext;
import dev.pydb.api.storage.StorageProvider;
import dev.pydb.api.storage.StorageVerifier;
import dev.pydb.api.storage.StorageVerifier.Damage;
import dev.pydb.api.storage.StorageVerifier.Report;
import dev.pydb.engine.server.AuthenticatorFactory;
import dev.pydb.engine.backup.SnapshotMemoryStorage;
import dev.pydb.engine.config.EnvConfigBinder;
import dev.pydb.engine.config.LoggingConfig;
import dev.pydb.engine.logging.LogbackConfigurator;
import dev.pydb.engine.plugin.LoadedPlugin;
import dev.pydb.engine.plugin.PluginLoader;
import dev.pydb.engine.server.PydbServer;
import dev.pydb.engine.server.ServerComponents;
import dev.pydb.engine.server.StorageLock;
import dev.pydb.engine.server.TransportFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class OfflineCommandsTest {
    @TempDir
    Path home;

    private final Map<Path, SnapshotMemoryStorage> storages = new ConcurrentHashMap<>();
    private final AtomicReference<Optional<StorageVerifier>> verifier = new AtomicReference<>(Optional.empty());
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /** Opens one memory storage per path and keeps it, so a second open (restore, then a server) sees the same. */
    private final StorageProvider provider = new StorageProvider() {
        @Override
        public String name() {
            return "memory";
        }

        @Override
        public Storage open(StorageConfig config, StorageContext context) {
            return storages.computeIfAbsent(config.path(), path -> new SnapshotMemoryStorage(true));
        }

        @Override
        public Optional<StorageVerifier> verifier() {
            return verifier.get();
        }
    };

    @AfterAll
    static void restoreLogging(@TempDir Path anywhere) {
        LogbackConfigurator.configure(new LoggingConfig("INFO", true, null), anywhere);
    }

    private Path env(String storagePath) throws IOException {
        Path env = home.resolve("env-" + storagePath.replace('/', '-') + ".json");
        Files.writeString(env, """
                {"server": {"port": 0},
                 "storage": {"provider": "memory", "path": "%s"},
                 "auth": {"users": [{"username": "admin", "password": "s3cret-admin-pass", "roles": ["admin"]}]},
                 "logging": {"console": false, "file": null}}
                """.formatted(storagePath));
        return env;
    }

    @Test
    void verify_exits_0_when_clean_and_prints_the_summary() throws IOException {
        Files.createDirectories(home.resolve("data"));
        verifier.set(Optional.of((config, context, progress) -> {
            assertThat(config.path()).isEqualTo(home.resolve("data"));
            progress.begin("documents", 3);
            progress.advance(3);
            return new Report(2, 3, 7, List.of());
        }));
        assertThat(run("verify", "-e", env("data").toString())).isZero();
        assertThat(out.toString()).contains("verify: memory storage at " + home.resolve("data")
                + ": 2 databases, 3 documents, 7 log records checked in").contains(": clean");
    }

    @Test
    void verify_exits_1_and_lists_each_damaged_place() throws IOException {
        Files.createDirectories(home.resolve("data"));
        verifier.set(Optional.of((config, context, progress) -> new Report(1, 5, 0, List.of(
                new Damage("/x/snapshot.json", "shop", "k1", 120, "fails its checksum"),
                new Damage("/x/wal-1.log", null, null, -1, "record cut")))));
        assertThat(run("verify", "-e", env("data").toString())).isEqualTo(1);
        assertThat(out.toString()).contains(": 2 damaged places")
                .contains("  DAMAGED /x/snapshot.json at offset 120 database 'shop' key 'k1': fails its checksum")
                .contains("  DAMAGED /x/wal-1.log: record cut");
    }

    @Test
    void verify_exits_2_when_it_cannot_read() throws IOException {
        Path env = env("data");
        verifier.set(Optional.of((config, context, progress) -> new Report(0, 0, 0, List.of())));
        assertThat(run("verify", "-e", env.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("there is no storage at " + home.resolve("data"));

        Files.createDirectories(home.resolve("data"));
        verifier.set(Optional.of((config, context, progress) -> {
            throw new PydbException(ErrorCode.UNAVAILABLE, "not this backend's files");
        }));
        assertThat(run("verify", "-e", env.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("cannot read the memory storage at " + home.resolve("data")
                + ": not this backend's files");

        verifier.set(Optional.empty());
        assertThat(run("verify", "-e", env.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("the storage provider 'memory' cannot verify its files");
    }

    @Test
    void verify_refuses_a_storage_that_a_server_holds() throws IOException {
        verifier.set(Optional.of((config, context, progress) -> new Report(0, 0, 0, List.of())));
        try (StorageLock lock = StorageLock.acquire(home.resolve("data"))) {
            assertThat(run("verify", "-e", env("data").toString())).isEqualTo(2);
        }
        assertThat(err.toString()).contains(StorageLock.FILE_NAME);
        assertThat(run("verify", "-e", env("data").toString())).isZero();
    }

    @Test
    void backup_of_a_running_server_then_restore_into_an_empty_storage_gives_the_same_documents()
            throws Exception {
        SnapshotMemoryStorage source = storages.computeIfAbsent(home.resolve("data"), path -> new SnapshotMemoryStorage(true));
        source.createDatabase("shop");
        for (int i = 0; i < 3000; i++) {
            source.put("shop", "k" + i, ("{\"i\":" + i + "}").getBytes(UTF_8), -1);
        }
        Path env = env("data");
        PydbServer server = PydbServer.start(EnvConfigBinder.read(env), home, components(), Optional.empty());
        Path backup = home.resolve("backups/one");
        try {
            assertThat(runWithStdin("s3cret-admin-pass\n", "backup", "-e", env.toString(), "--to", backup.toString(),
                    "--port", Integer.toString(server.port()))).as(err.toString()).isZero();
        } finally {
            server.close();
        }
        assertThat(out.toString()).contains("1 databases, 3,000 documents into " + backup);
        assertThat(backup.resolve("manifest.json")).exists();

        assertThat(run("restore", "-e", env("restored").toString(), "--from", backup.toString())).as(err.toString()).isZero();
        assertThat(out.toString()).contains("restore: 1 databases, 3,000 documents, 0 indexes from " + backup
                + " (a memory backup of");
        assertThat(storages.get(home.resolve("restored")).contents()).isEqualTo(source.contents());

        assertThat(run("restore", "-e", env("restored").toString(), "--from", backup.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("a restore needs an empty storage; this one holds the databases shop");
    }

    @Test
    void backup_exits_2_without_a_server_or_with_a_wrong_password() throws Exception {
        Path env = env("data");
        int unused;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            unused = socket.getLocalPort();
        }
        assertThat(runWithStdin("x\n", "backup", "-e", env.toString(), "--to", home.resolve("b").toString(), "--port",
                Integer.toString(unused))).isEqualTo(2);
        assertThat(err.toString()).contains("cannot talk to the server at 127.0.0.1:" + unused);

        storages.computeIfAbsent(home.resolve("data"), path -> new SnapshotMemoryStorage(true));
        try (PydbServer server = PydbServer.start(EnvConfigBinder.read(env), home, components(), Optional.empty())) {
            assertThat(runWithStdin("wrong\n", "backup", "-e", env.toString(), "--to", home.resolve("b").toString(),
                    "--port", Integer.toString(server.port()))).isEqualTo(2);
        }
        assertThat(err.toString()).contains("login as 'admin' failed: UNAUTHENTICATED");
        assertThat(home.resolve("b")).doesNotExist();
    }

    @Test
    void restore_of_a_folder_that_is_not_a_backup_exits_1() throws IOException {
        Files.createDirectories(home.resolve("nothing"));
        assertThat(run("restore", "-e", env("data").toString(), "--from", home.resolve("nothing").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("holds no manifest.json");
    }

    private ServerComponents components() {
        return new ServerComponents(
                dir -> List.of(PluginLoader.classPath(),
                        new LoadedPlugin("p", dir.resolve("p"), getClass().getClassLoader(), List.of(provider), List.of())),
                AuthenticatorFactory.standard(), TransportFactory.production(), Clock.systemUTC(), Duration.ofSeconds(1));
    }

    private int runWithStdin(String stdin, String... args) {
        InputStream original = System.in;
        try {
            System.setIn(new ByteArrayInputStream(stdin.getBytes(UTF_8)));
            return run(args);
        } finally {
            System.setIn(original);
        }
    }

    private int run(String... args) {
        CommandLine commandLine = PydbMain.commandLine(new PydbMain(components(), home, stop -> {}));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }
}
