package dev.pydb.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.utility.DockerImageName;

/**
 * What is in the image and where its server may write: the image is made from the distribution
 * archive, so a server run from the build tree leaves nothing in it; code, plugins and
 * configuration belong to root; the server runs on a read-only root file system with a noexec
 * {@code /tmp}.
 */
@ExtendWith(DockerRequired.class)
class DockerImageContentIT {
    private static final String HOME = "/opt/pydb";

    @TempDir
    Path work;

    @Test
    void aFreshVolumeIsEmptyEvenAfterTheServerRanFromTheBuildTree() throws IOException {
        Path tree = Build.unpackedDistribution();
        String run = "e2e-" + UUID.randomUUID();
        Path data = tree.resolve("data").resolve(run);
        Path log = tree.resolve("logs").resolve(run + ".log");
        Path plugin = tree.resolve("plugins").resolve(run);
        String tag = "pydb-e2e-fresh:" + run.substring(4, 12);
        String volume = "pydb-e2e-" + UUID.randomUUID();
        List<String> shippedPlugins;
        try (Stream<Path> folders = Files.list(tree.resolve("plugins"))) {
            shippedPlugins = folders.filter(Files::isDirectory).map(f -> f.getFileName().toString()).sorted().toList();
        }
        try {
            // As a user trying the server in the build tree: data and logs written inside it, a plugin added.
            int port = Ports.free();
            ObjectNode env = EnvFile.of("127.0.0.1", port, "lmdb", "data/" + run, "logs/" + run + ".log");
            Path envFile = EnvFile.write(env, work.resolve("env.json"));
            try (ServerProcess server = ServerProcess.start(tree, work.resolve("out"), List.of("-e", envFile.toString()))
                    .awaitPing(port)) {
                try (RawWireClient client = RawWireClient.connect("127.0.0.1", port)) {
                    client.login(EnvFile.USER, EnvFile.PASSWORD);
                    client.ok(RawWireClient.request("CREATE_DB").put("db", "shop"));
                }
                assertThat(server.stop()).as(server.output()).isZero();
            }
            assertThat(data).as("the server wrote into the build tree").isNotEmptyDirectory();
            assertThat(log).isNotEmptyFile();
            Files.createDirectories(plugin);
            Files.copy(Build.examplePluginJar(), plugin.resolve(Build.examplePluginJar().getFileName()));

            String image = PydbImage.build(tag);
            DockerClientFactory.instance().client().createVolumeCmd().withName(volume).exec();

            String listing = runInImage(image, volume, "cd " + HOME + " && echo \"data:$(ls -A data)\" && "
                    + "echo \"logs:$(ls -A logs)\" && echo \"plugins:$(ls plugins | tr '\\n' ' ')\"");
            assertThat(shippedPlugins).contains("storage-json", "storage-lmdb", "storage-mapdb").doesNotContain(run);
            assertThat(listing.lines()).containsExactly("data:", "logs:", "plugins:" + String.join(" ", shippedPlugins) + " ");
            String again = runInImage(image, volume, "echo \"volume:$(ls -A " + HOME + "/data)\"");
            assertThat(again.strip()).as("the named volume after Docker filled it from the image").isEqualTo("volume:");
        } finally {
            deleteTree(data);
            deleteTree(plugin);
            try (Stream<Path> logs = Files.list(tree.resolve("logs"))) {
                for (Path file : logs.filter(f -> f.getFileName().toString().startsWith(run)).toList()) {
                    Files.deleteIfExists(file);
                }
            }
            try {
                DockerClientFactory.instance().client().removeVolumeCmd(volume).exec();
            } catch (RuntimeException e) {
                // never created
            }
            PydbImage.remove(tag);
        }
    }

    @Test
    void codePluginsAndConfigurationBelongToRootAndOnlyDataAndLogsToTheServersUser() {
        String script = "cd " + HOME + " && id -u && stat -c '%u:%g %a %n' bin lib plugins plugins/storage-lmdb conf "
                + "conf/env.json.example docker data logs && "
                + "for d in bin lib plugins plugins/storage-lmdb conf docker data logs; do "
                + "if touch $d/.probe 2>/dev/null; then rm -f $d/.probe; echo \"writable $d\"; else echo \"read-only $d\"; fi; done && "
                + "echo \"owned by the server outside data and logs: $(find . -user 10001 ! -path ./data ! -path './data/*' "
                + "! -path ./logs ! -path './logs/*' | wc -l)\" && echo \"writable by anyone: $(find . -perm -0002 | wc -l)\"";
        List<String> lines = runInImage(PydbImage.get(), null, script).lines().toList();

        assertThat(lines).first().as("the server's user").isEqualTo("10001");
        assertThat(lines).contains(
                "0:0 755 bin", "0:0 755 lib", "0:0 755 plugins", "0:0 755 plugins/storage-lmdb", "0:0 755 conf",
                "0:0 644 conf/env.json.example", "0:0 755 docker", "10001:10001 700 data", "10001:10001 700 logs",
                "read-only bin", "read-only lib", "read-only plugins", "read-only plugins/storage-lmdb", "read-only conf",
                "read-only docker", "writable data", "writable logs",
                "owned by the server outside data and logs: 0", "writable by anyone: 0");
    }

    @Test
    void servesOnAReadOnlyRootFileSystemWithANoexecTmpLoadsLmdbFromTheImageAndReportsHealthOverHttp() throws Exception {
        ObjectNode config = EnvFile.of("0.0.0.0", PydbContainer.PORT, "lmdb", "data/py_db", null);
        ((ObjectNode) config.get("server")).putObject("metrics").put("enabled", true).put("host", "0.0.0.0").put("port", 9441);
        Path env = EnvFile.write(config, work.resolve("env.json"));
        try (PydbContainer server = new PydbContainer(PydbImage.get(), null).withEnvFileMounted(env)
                .withReadOnlyRootAndNoexecTmp()
                .withEnv("PYDB_HEALTHCHECK_URL", "http://127.0.0.1:9441/health")) {
            server.start();
            await("HEALTHCHECK through /health").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                    .until(server::healthStatus, "healthy"::equals);
            try (RawWireClient client = server.connect()) {
                client.login(EnvFile.USER, EnvFile.PASSWORD);
                client.ok(RawWireClient.request("CREATE_DB").put("db", "shop"));
                ObjectNode put = RawWireClient.request("PUT").put("db", "shop").put("key", "k");
                put.putObject("doc").put("n", 1);
                client.ok(put);
            }
            ExecResult maps = server.execInContainer("sh", "-c", "grep -oE '/[^ ]*(lmdb|jffi)[^ ]*\\.so' /proc/1/maps | sort -u");
            assertThat(maps.getStdout().lines()).containsExactly(
                    HOME + "/plugins/storage-lmdb/native/jni/x86_64-Linux/libjffi-1.2.so",
                    HOME + "/plugins/storage-lmdb/native/x86_64-linux-gnu.so");
            // busybox nc: busybox-static's wget crashes in the local base image
            ExecResult metrics = server.execInContainer("sh", "-c",
                    "printf 'GET /metrics HTTP/1.0\\r\\n\\r\\n' | timeout 10 nc 127.0.0.1 9441");
            assertThat(metrics.getStdout()).contains("pydb_requests_total{action=\"PUT\",outcome=\"ok\"} 1.0")
                    .contains("pydb_documents{db=\"shop\"} 1.0").contains("jvm_memory_used_bytes");
            ExecResult tmp = server.execInContainer("sh", "-c", "ls -A /tmp");
            assertThat(tmp.getStdout()).as("files in /tmp").doesNotContain("lmdbjava");
            assertThat(server.dockerStop()).as(server.getLogs()).isZero();
        }
    }

    /** Runs {@code script} with sh in a new container of {@code image} (a named volume at data/ if given); returns its output. */
    private static String runInImage(String image, String dataVolume, String script) {
        try (GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(image))
                .withCreateContainerCmdModifier(cmd -> {
                    cmd.withEntrypoint("sh", "-c", script);
                    if (dataVolume != null) {
                        cmd.getHostConfig().withBinds(new Bind(dataVolume, new Volume(HOME + "/data")));
                    }
                })
                .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofSeconds(60)))) {
            container.start();
            return container.getLogs();
        }
    }

    private static void deleteTree(Path top) throws IOException {
        if (!Files.exists(top)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(top)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
