package dev.pydb.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution zip as a user gets it: unpacked into a temporary folder, its layout checked,
 * its launcher run against fake {@code java} binaries, and the server started for real with
 * {@code bin/pydb -e <file>}, stopped with SIGTERM and started again on the same data.
 */
class DistributionIT {
    /** The default admin password documented in README.txt for the shipped conf/env.json. */
    private static final String DEFAULT_ADMIN_PASSWORD = "pydb-admin-change-me";

    @TempDir
    static Path unpacked;

    private static Path home;

    @TempDir
    Path work;

    @BeforeAll
    static void unpackZip() throws IOException {
        List<String> topFolders = unzip(Build.distributionZip(), unpacked);
        assertThat(topFolders).as("top folders of the zip").containsExactly("pydb-" + Build.version());
        home = unpacked.resolve("pydb-" + Build.version());
    }

    @Test
    void zipHasTheDocumentedLayout() throws IOException {
        assertThat(home.resolve("bin/pydb")).isRegularFile().isExecutable();
        assertThat(home.resolve("conf/env.json")).isRegularFile();
        assertThat(home.resolve("README.txt")).isRegularFile();
        assertThat(home.resolve("data")).isEmptyDirectory();
        assertThat(home.resolve("logs")).isEmptyDirectory();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("data")))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("logs")))).isEqualTo("rwx------");
        assertThat(home.resolve("plugins/storage-lmdb/native/x86_64-linux-gnu.so")).as("LMDB's native libraries").isRegularFile();
        assertThat(home.resolve("plugins/storage-lmdb/native/aarch64-linux-gnu.so")).isRegularFile();
        assertThat(home.resolve("plugins/storage-lmdb/native/jni/x86_64-Linux/libjffi-1.2.so")).as("jffi's").isRegularFile();

        assertThat(jarNames(home.resolve("lib")))
                .anyMatch(name -> name.startsWith("pydb-engine-"))
                .anyMatch(name -> name.startsWith("pydb-api-"))
                .anyMatch(name -> name.startsWith("jackson-databind-"))
                .anyMatch(name -> name.startsWith("slf4j-api-"))
                .anyMatch(name -> name.startsWith("logback-classic-"))
                .anyMatch(name -> name.startsWith("picocli-"))
                .noneMatch(name -> name.startsWith("pydb-storage-"))
                .noneMatch(name -> name.startsWith("mapdb-") || name.startsWith("lmdbjava-"))
                .noneMatch(name -> name.startsWith("pydb-cli-") || name.startsWith("jline-"));
        assertThat(jarNames(home.resolve("lib/cli")))
                .as("lib/cli: pydb-cli and what only it needs")
                .anyMatch(name -> name.startsWith("pydb-cli-"))
                .anyMatch(name -> name.startsWith("pydb-client-"))
                .anyMatch(name -> name.startsWith("jline-"))
                .noneMatch(name -> name.startsWith("jackson-") || name.startsWith("slf4j-") || name.startsWith("pydb-engine-"));
        assertThat(home.resolve("bin/pydb-cli")).isRegularFile().isExecutable();
        assertThat(jarNames(home.resolve("lib/bench")))
                .as("lib/bench: pydb-bench and HdrHistogram")
                .anyMatch(name -> name.startsWith("pydb-bench-"))
                .anyMatch(name -> name.startsWith("HdrHistogram-"))
                .noneMatch(name -> name.startsWith("jackson-") || name.startsWith("picocli-") || name.startsWith("pydb-engine-"));
        assertThat(home.resolve("bin/pydb-bench")).isRegularFile().isExecutable();
        assertThat(home.resolve("bin/pydb-compare-redis")).isRegularFile().isExecutable();

        assertThat(subfolders(home.resolve("plugins"))).containsExactly("storage-json", "storage-lmdb", "storage-mapdb",
                "storage-postgres");
        for (String backend : List.of("json", "mapdb", "lmdb", "postgres")) {
            assertThat(jarNames(home.resolve("plugins/storage-" + backend)))
                    .as("plugins/storage-" + backend)
                    .anyMatch(name -> name.startsWith("pydb-storage-" + backend + "-"))
                    .noneMatch(name -> name.startsWith("pydb-api-") || name.startsWith("pydb-engine-"))
                    .noneMatch(name -> name.startsWith("jackson-") || name.startsWith("slf4j-"))
                    .noneMatch(name -> name.startsWith("logback-") || name.startsWith("picocli-"));
        }
        for (String backend : List.of("json", "mapdb", "lmdb")) {
            assertThat(jarNames(home.resolve("plugins/storage-" + backend)))
                    .as("plugins/storage-" + backend + " bundles the storage toolkit (each plugin folder its own copy)")
                    .anyMatch(name -> name.startsWith("pydb-storage-toolkit-"));
        }
        assertThat(jarNames(home.resolve("lib"))).as("lib/ has no storage toolkit: plugins bundle it")
                .noneMatch(name -> name.startsWith("pydb-storage-toolkit-"));
        assertThat(jarNames(home.resolve("plugins/storage-mapdb")))
                .as("plugins/storage-mapdb carries MapDB and its libraries")
                .anyMatch(name -> name.startsWith("mapdb-"))
                .anyMatch(name -> name.startsWith("kotlin-stdlib-"))
                .anyMatch(name -> name.startsWith("guava-"))
                .anyMatch(name -> name.startsWith("eclipse-collections-"))
                .anyMatch(name -> name.startsWith("lz4-"))
                .anyMatch(name -> name.startsWith("elsa-"));
        assertThat(jarNames(home.resolve("plugins/storage-lmdb")))
                .as("plugins/storage-lmdb carries lmdbjava and its libraries")
                .anyMatch(name -> name.startsWith("lmdbjava-"))
                .anyMatch(name -> name.startsWith("jnr-ffi-"))
                .anyMatch(name -> name.startsWith("jffi-"));
        assertThat(jarNames(home.resolve("plugins/storage-postgres")))
                .as("plugins/storage-postgres carries the PostgreSQL driver and HikariCP")
                .anyMatch(name -> name.startsWith("postgresql-"))
                .anyMatch(name -> name.startsWith("HikariCP-"));
        assertThat(jarNames(home.resolve("lib"))).as("lib/ has nothing of the postgres backend")
                .noneMatch(name -> name.startsWith("postgresql-") || name.startsWith("HikariCP-"));
    }

    @Test
    void shippedEnvFileListensOnLocalhostOnlyWithTheDefaults() throws IOException {
        JsonNode env = RawWireClient.JSON.readTree(home.resolve("conf/env.json").toFile());
        assertThat(env.at("/server/host").asText()).isEqualTo("127.0.0.1");
        assertThat(env.at("/server/port").asInt()).isEqualTo(9440);
        assertThat(env.at("/storage/provider").asText()).isEqualTo("lmdb");
        assertThat(env.at("/storage/path").asText()).isEqualTo("data/py_db");
        assertThat(env.at("/auth/users")).hasSize(1);
        assertThat(env.at("/auth/users/0/username").asText()).isEqualTo("admin");
        assertThat(env.at("/auth/users/0/password_hash").asText()).startsWith("pbkdf2-sha256$");
        assertThat(env.at("/auth/users/0/password").isMissingNode()).as("no plain-text password").isTrue();
        assertThat(env.at("/logging/console").asBoolean()).isTrue();
        assertThat(env.at("/logging/file").asText()).isEqualTo("logs/py_db.log");
        assertThat(env.at("/plugins/dir").asText()).isEqualTo("plugins");
        assertThat(Files.readString(home.resolve("README.txt"))).contains(DEFAULT_ADMIN_PASSWORD);
    }

    @Test
    void dockerfileDefaultsToThisVersion() throws IOException {
        assertThat(Files.readAllLines(Build.distributionModule().resolve("Dockerfile")))
                .contains("ARG PYDB_VERSION=" + Build.version());
    }

    @Test
    void launcherExecsJavaWithTheHomeTheLmdbFlagsAndTheArguments() throws Exception {
        Path java25 = fakeJava(25);
        Path record = work.resolve("record.txt");
        ProcessBuilder launcher = launcher(home.resolve("bin/pydb"), "-e", "conf/my env.json");
        launcher.environment().put("JAVA_HOME", java25.toString());
        launcher.environment().put("PYDB_JAVA_OPTS", "-Xmx64m -Dsome.flag=1");
        launcher.environment().put("FAKE_JAVA_RECORD", record.toString());

        Process process = launcher.start();

        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(errors(process)).isZero();
        List<String> lines = Files.readAllLines(record);
        assertThat(lines).first().isEqualTo("java=25");
        assertThat(lines.get(1)).as("exec keeps the launcher's process id, so SIGTERM reaches the JVM")
                .isEqualTo("pid=" + process.pid());
        assertThat(lines.subList(2, lines.size())).containsExactly(
                "arg=--add-opens=java.base/java.nio=ALL-UNNAMED",
                "arg=--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                "arg=--enable-native-access=ALL-UNNAMED",
                "arg=--sun-misc-unsafe-memory-access=allow",
                "arg=-Xmx256m",
                "arg=-XX:NewRatio=7",
                "arg=-XX:+UseSerialGC",
                "arg=-XX:ReservedCodeCacheSize=64m",
                "arg=-Djdk.nio.maxCachedBufferSize=262144",
                "arg=-Dlmdbjava.native.lib=" + home.toRealPath() + "/plugins/storage-lmdb/native/" + lmdbNativeLibrary(),
                "arg=-Djffi.boot.library.path=" + home.toRealPath() + "/plugins/storage-lmdb/native/jni",
                "arg=-Xmx64m",
                "arg=-Dsome.flag=1",
                "arg=-Dpydb.home=" + home.toRealPath(),
                "arg=-cp",
                "arg=" + home.toRealPath() + "/lib/*",
                "arg=dev.pydb.engine.launcher.PydbMain",
                "arg=-e",
                "arg=conf/my env.json");
    }

    @Test
    void aCollectorInPydbJavaOptsReplacesTheDefaultOne() throws Exception {
        Path java21 = fakeJava(21);
        Path record = work.resolve("record.txt");
        ProcessBuilder launcher = launcher(home.resolve("bin/pydb"), "--version");
        launcher.environment().put("JAVA_HOME", java21.toString());
        launcher.environment().put("PYDB_JAVA_OPTS", "-XX:+UseZGC -Xmx1g");
        launcher.environment().put("FAKE_JAVA_RECORD", record.toString());

        Process process = launcher.start();

        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(errors(process)).isZero();
        List<String> args = Files.readAllLines(record);
        assertThat(args).doesNotContain("arg=-XX:+UseSerialGC").contains("arg=-XX:+UseZGC");
        assertThat(args).containsSubsequence("arg=-Xmx256m", "arg=-Xmx1g");
    }

    @Test
    void launcherPassesOverJavaOlderThan21AndFollowsSymlinks() throws Exception {
        Path java17 = fakeJava(17);
        Path java21 = fakeJava(21);
        Path link = work.resolve("links/pydb");
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, home.resolve("bin/pydb"));
        Path record = work.resolve("record.txt");
        ProcessBuilder launcher = launcher(link, "--version");
        launcher.environment().put("JAVA_HOME", java17.toString());
        launcher.environment().put("PATH", java21.resolve("bin") + ":/usr/bin:/bin");
        launcher.environment().put("FAKE_JAVA_RECORD", record.toString());

        Process process = launcher.start();

        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(errors(process)).isZero();
        List<String> lines = Files.readAllLines(record);
        assertThat(lines).first().isEqualTo("java=21");
        assertThat(lines).contains("arg=-Dpydb.home=" + home.toRealPath(), "arg=--version")
                .doesNotContain("arg=--sun-misc-unsafe-memory-access=allow");
    }

    @Test
    void launcherWithoutJava21ExitsOneSayingWhatToInstall() throws Exception {
        Path java17 = fakeJava(17);
        Path noJvms = Files.createDirectories(work.resolve("no-jvms"));
        ProcessBuilder launcher = launcher(home.resolve("bin/pydb"));
        launcher.environment().put("JAVA_HOME", java17.toString());
        launcher.environment().put("PATH", java17.resolve("bin") + ":/usr/bin:/bin");
        launcher.environment().put("PYDB_JVM_DIR", noJvms.toString());
        launcher.environment().put("FAKE_JAVA_RECORD", work.resolve("record.txt").toString());

        Process process = launcher.start();

        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(1);
        assertThat(errors(process)).contains("Java 21 or newer").contains("JAVA_HOME");
        assertThat(work.resolve("record.txt")).doesNotExist();
    }

    @Test
    void launcherShowsTheServersHelpAndVersion() throws Exception {
        ProcessBuilder help = launcher(home.resolve("bin/pydb"), "--help");
        help.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process process = help.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String helpText = output(process);
        assertThat(process.exitValue()).as(helpText).isZero();
        assertThat(helpText).contains("--e-file").contains("--load-initial-data");

        ProcessBuilder version = launcher(home.resolve("bin/pydb"), "--version");
        version.environment().put("JAVA_HOME", System.getProperty("java.home"));
        process = version.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String versionText = output(process);
        assertThat(process.exitValue()).as(versionText).isZero();
        assertThat(versionText).contains(Build.version());
    }

    @Test
    void serverStoresADocumentStopsCleanlyOnSigtermAndKeepsItAfterRestart() throws IOException {
        int port = Ports.free();
        Path env = EnvFile.write(EnvFile.of("127.0.0.1", port, "json", work.resolve("data").toString(),
                work.resolve("logs/py_db.log").toString()), work.resolve("env.json"));
        List<String> args = List.of("-e", env.toString());

        try (ServerProcess server = ServerProcess.start(home, work.resolve("run1"), args).awaitPing(port)) {
            try (RawWireClient client = RawWireClient.connect("127.0.0.1", port)) {
                client.login(EnvFile.USER, EnvFile.PASSWORD);
                assertThat(client.ok(RawWireClient.request("CREATE_DB").put("db", "shop")).path("db").asText())
                        .isEqualTo("shop");
                ObjectNode put = RawWireClient.request("PUT").put("db", "shop").put("key", "u1");
                put.putObject("doc").put("name", "Ada").put("age", 36);
                assertThat(client.ok(put).path("rev").asLong()).isEqualTo(1);
                JsonNode got = client.ok(RawWireClient.request("GET").put("db", "shop").put("key", "u1"));
                assertThat(got.path("doc")).isEqualTo(put.get("doc"));
                assertThat(got.path("rev").asLong()).isEqualTo(1);
            }
            assertThat(server.stop()).as("exit code after SIGTERM\n%s", server.output()).isZero();
        }

        try (ServerProcess server = ServerProcess.start(home, work.resolve("run2"), args).awaitPing(port)) {
            try (RawWireClient client = RawWireClient.connect("127.0.0.1", port)) {
                client.login(EnvFile.USER, EnvFile.PASSWORD);
                JsonNode got = client.ok(RawWireClient.request("GET").put("db", "shop").put("key", "u1"));
                assertThat(got.path("doc").path("name").asText()).isEqualTo("Ada");
                assertThat(got.path("rev").asLong()).isEqualTo(1);
            }
            assertThat(server.stop()).as("exit code after SIGTERM\n%s", server.output()).isZero();
        }
        assertThat(work.resolve("logs/py_db.log")).as("the log file of the env file").isNotEmptyFile();
    }

    @Test
    void lmdbLoadsItsNativeLibraryFromTheInstallationAndLeavesNothingInTmp() throws IOException {
        Path tmp = Files.createDirectories(work.resolve("tmp"));
        int port = Ports.free();
        Path env = EnvFile.write(EnvFile.of("127.0.0.1", port, "lmdb", work.resolve("data").toString(), null),
                work.resolve("env.json"));
        // The JVM's temporary folder is a private one, so other processes on the machine cannot hide or fake a leftover.
        Map<String, String> javaOpts = Map.of("PYDB_JAVA_OPTS", "-Djava.io.tmpdir=" + tmp);
        Path library = home.toRealPath().resolve("plugins/storage-lmdb/native").resolve(lmdbNativeLibrary());
        assertThat(library).as("LMDB's native library, extracted at build time").isRegularFile();

        for (int round = 1; round <= 3; round++) {
            try (ServerProcess server = ServerProcess.start(home, work.resolve("run" + round), List.of("-e", env.toString()),
                    javaOpts, null).awaitPing(port)) {
                try (RawWireClient client = RawWireClient.connect("127.0.0.1", port)) {
                    client.login(EnvFile.USER, EnvFile.PASSWORD);
                    client.call(RawWireClient.request("CREATE_DB").put("db", "shop"));
                    ObjectNode put = RawWireClient.request("PUT").put("db", "shop").put("key", "k" + round);
                    put.putObject("doc").put("round", round);
                    client.ok(put);
                }
                String maps = Files.readString(Path.of("/proc/" + server.pid() + "/maps"));
                assertThat(maps).as("the JVM maps the installation's copies of LMDB and jffi").contains(library.toString())
                        .contains(home.toRealPath().resolve("plugins/storage-lmdb/native/jni").toString())
                        .doesNotContain("lmdbjava-native-library-").doesNotContain(tmp.toString());
                if (round == 3) {
                    server.kill(); // a crash runs no clean-up either
                } else {
                    assertThat(server.stop()).as(server.output()).isZero();
                }
            }
        }
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left.map(file -> file.getFileName().toString()))
                    .as("files left in the JVM's temporary folder after 3 starts (2 stops, 1 kill -9)")
                    .noneMatch(name -> name.startsWith("lmdbjava-native-library-"));
        }
    }

    @Test
    void theServersFoldersAreOwnerOnlyAndItsFilesOwnerOnlyWhateverTheUmask() throws IOException {
        for (String provider : List.of("lmdb", "json")) {
            int port = Ports.free();
            Path data = work.resolve(provider + "/data/py_db");
            Path log = work.resolve(provider + "/logs/py_db.log");
            Path env = EnvFile.write(EnvFile.of("127.0.0.1", port, provider, data.toString(), log.toString()),
                    work.resolve(provider + "-env.json"));
            try (ServerProcess server = ServerProcess.start(home, work.resolve(provider + "/run"),
                    List.of("-e", env.toString()), Map.of(), "000").awaitPing(port)) {
                try (RawWireClient client = RawWireClient.connect("127.0.0.1", port)) {
                    client.login(EnvFile.USER, EnvFile.PASSWORD);
                    client.ok(RawWireClient.request("CREATE_DB").put("db", "secrets"));
                    ObjectNode put = RawWireClient.request("PUT").put("db", "secrets").put("key", "s1");
                    put.putObject("doc").put("secret", "do not read");
                    client.ok(put);
                }
                assertThat(server.stop()).as(server.output()).isZero();
            }
            assertOwnerOnly(work.resolve(provider + "/data"));
            assertOwnerOnly(log.getParent());
            assertThat(log).isNotEmptyFile();
        }
    }

    /** Every folder under {@code top} (itself included) is 0700 and every file 0600. */
    private static void assertOwnerOnly(Path top) throws IOException {
        try (Stream<Path> paths = Files.walk(top)) {
            List<String> modes = paths.map(path -> {
                try {
                    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path)) + " " + top.relativize(path);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
            assertThat(modes).as("modes under %s", top).hasSizeGreaterThan(1)
                    .allMatch(line -> line.startsWith("rwx------ ") || line.startsWith("rw------- "));
        }
    }

    @Test
    void theShippedCredentialOnANetworkAddressStopsTheStart() throws IOException {
        ObjectNode env = (ObjectNode) RawWireClient.JSON.readTree(home.resolve("conf/env.json").toFile());
        ((ObjectNode) env.get("server")).put("host", "0.0.0.0").put("port", Ports.free());
        ((ObjectNode) env.get("storage")).put("path", work.resolve("data").toString());
        ((ObjectNode) env.get("logging")).putNull("file");
        Path envFile = EnvFile.write(env, work.resolve("env.json"));

        try (ServerProcess server = ServerProcess.start(home, work.resolve("run"), List.of("-e", envFile.toString()))) {
            assertThat(server.awaitExit()).as(server.output()).isEqualTo(1);
            assertThat(server.stderr()).contains("server.allow_default_credentials_on_network")
                    .contains("admin").contains("0.0.0.0")
                    .doesNotContain(DEFAULT_ADMIN_PASSWORD);
        }
        assertThat(work.resolve("data")).as("nothing opened").doesNotExist();
    }

    /** The file name of LMDB's native library for this machine, as lmdbjava names it. */
    private static String lmdbNativeLibrary() {
        String arch = System.getProperty("os.arch");
        String cpu = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64" : "aarch64";
        return cpu + "-linux-" + (Files.exists(Path.of("/lib/ld-musl-" + cpu + ".so.1")) ? "musl" : "gnu") + ".so";
    }

    @Test
    void shippedAdminPasswordHashMatchesTheDocumentedPassword() throws IOException {
        int port = Ports.free();
        ObjectNode env = EnvFile.of("127.0.0.1", port, "json", work.resolve("data").toString(), null);
        JsonNode shipped = RawWireClient.JSON.readTree(home.resolve("conf/env.json").toFile());
        env.set("auth", shipped.get("auth").deepCopy());
        Path envFile = EnvFile.write(env, work.resolve("env.json"));

        try (ServerProcess server = ServerProcess.start(home, work.resolve("run"), List.of("-e", envFile.toString()))
                .awaitPing(port);
                RawWireClient client = RawWireClient.connect("127.0.0.1", port)) {
            assertThat(client.login("admin", DEFAULT_ADMIN_PASSWORD).path("roles"))
                    .as("LOGIN admin with the password in README.txt")
                    .extracting(JsonNode::asText)
                    .containsExactly("admin");
            assertThat(client.errorCode(RawWireClient.request("LOGIN").put("username", "admin").put("password", "wrong")))
                    .isEqualTo("UNAUTHENTICATED");
        }
    }

    @Test
    void unknownKeyInTheEnvFileStopsTheStartWithExitCodeOneNamingTheKey() {
        ObjectNode env = EnvFile.of("127.0.0.1", Ports.free(), "json", work.resolve("data").toString(), null);
        ((ObjectNode) env.get("server")).put("bogus_key", 1);
        Path envFile = EnvFile.write(env, work.resolve("env.json"));

        try (ServerProcess server = ServerProcess.start(home, work.resolve("run"), List.of("-e", envFile.toString()))) {
            assertThat(server.awaitExit()).as(server.output()).isEqualTo(1);
            assertThat(server.stderr()).contains("server.bogus_key");
        }
    }

    private ProcessBuilder launcher(Path script, String... args) {
        List<String> command = new ArrayList<>();
        command.add(script.toString());
        Collections.addAll(command, args);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("PYDB_JAVA_OPTS");
        builder.directory(work.toFile());
        builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        return builder;
    }

    /**
     * A {@code java} that answers {@code -XshowSettings:properties} as Java {@code major} and
     * otherwise records its version, process id and arguments in {@code $FAKE_JAVA_RECORD}.
     */
    private Path fakeJava(int major) throws IOException {
        Path javaHome = work.resolve("java-" + major);
        Path java = Files.createDirectories(javaHome.resolve("bin")).resolve("java");
        Files.writeString(java, """
                #!/bin/sh
                for arg in "$@"; do
                  if [ "$arg" = "-XshowSettings:properties" ]; then
                    echo "    java.specification.version = %1$d" >&2
                    echo 'openjdk version "%1$d"' >&2
                    exit 0
                  fi
                done
                { echo "java=%1$d"; echo "pid=$$"; printf 'arg=%%s\\n' "$@"; } > "$FAKE_JAVA_RECORD"
                """.formatted(major), StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return javaHome;
    }

    private static String errors(Process process) throws IOException {
        return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static String output(Process process) throws IOException {
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8) + errors(process);
    }

    private static Set<String> jarNames(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(".jar"))
                    .collect(TreeSet::new, Set::add, Set::addAll);
        }
    }

    private static List<String> subfolders(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(Files::isDirectory).map(file -> file.getFileName().toString()).sorted().toList();
        }
    }

    /** Unpacks {@code zip} into {@code target} keeping Unix file modes; returns the top-level folder names. */
    private static List<String> unzip(Path zip, Path target) throws IOException {
        Set<String> topFolders = new TreeSet<>();
        try (ZipFile zipFile = ZipFile.builder().setPath(zip).get()) {
            for (ZipArchiveEntry entry : Collections.list(zipFile.getEntries())) {
                Path destination = target.resolve(entry.getName()).normalize();
                if (!destination.startsWith(target)) {
                    throw new IOException("zip entry outside the target folder: " + entry.getName());
                }
                topFolders.add(target.relativize(destination).getName(0).toString());
                if (entry.isDirectory()) {
                    Files.createDirectories(destination);
                } else {
                    Files.createDirectories(destination.getParent());
                    try (InputStream in = zipFile.getInputStream(entry)) {
                        Files.copy(in, destination, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                int mode = entry.getUnixMode() & 0777;
                if (mode != 0) {
                    Files.setPosixFilePermissions(destination, permissions(mode));
                }
            }
        }
        return List.copyOf(topFolders);
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        StringBuilder text = new StringBuilder();
        String letters = "rwxrwxrwx";
        for (int bit = 8; bit >= 0; bit--) {
            text.append((mode & (1 << bit)) != 0 ? letters.charAt(8 - bit) : '-');
        }
        return PosixFilePermissions.fromString(text.toString());
    }
}
