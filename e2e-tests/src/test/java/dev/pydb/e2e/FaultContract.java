package dev.pydb.e2e;

import static dev.pydb.e2e.RawWireClient.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.storage.tck.SmallTmpfs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault injection against the unpacked distribution, one subclass per local backend: a full disk
 * (a small tmpfs, as root), a flipped bit in a stored document, a truncated data file, kill -9
 * during batches followed by a torn log tail, and a backup taken under concurrent writes restored
 * into another backend with identical contents. Capabilities a backend does not have yet (a
 * snapshot, an importer, a verifier) skip their checks with the reason.
 */
abstract class FaultContract {
    private static final String MARKER = "MARKER-0123456789";

    @TempDir
    Path work;

    private final List<ServerProcess> processes = new CopyOnWriteArrayList<>();

    /** The backend under test. */
    abstract String provider();

    /** The backend the backup is restored into. */
    abstract String restoreInto();

    /** The file whose truncation is checked: the backend's main data file, once documents are stored. */
    abstract Path mainDataFile(Path data) throws IOException;

    /** The append log that a kill -9 leaves records in; empty if the backend has none. */
    abstract Optional<Path> logFile(Path data) throws IOException;

    @AfterEach
    void killLeftovers() {
        processes.forEach(ServerProcess::close);
    }

    // ---- a full disk

    @Test
    void aFullDiskFailsWritesWithLimitExceededKeepsReadsLosesNothingAndResumesWhenSpaceIsFreed() throws Exception {
        Path mount = work.resolve("tmpfs");
        try (SmallTmpfs tmpfs = SmallTmpfs.mountOrSkip(mount, 24L << 20)) {
            Path data = mount.resolve("data");
            Path filler = mount.resolve("filler");
            Files.write(filler, new byte[4 << 20]);
            int port = Ports.free();
            ServerProcess server = start(env(port, provider(), data), port);
            Map<String, Long> acked = new TreeMap<>();
            Map<String, Integer> failures = new TreeMap<>();
            String body = "x".repeat(8 * 1024);
            try (RawWireClient client = login(port)) {
                client.ok(request("CREATE_DB").put("db", "fill"));
                int consecutiveFailures = 0;
                for (int i = 0; i < 20_000 && consecutiveFailures < 20; i++) {
                    String key = "k" + i;
                    ObjectNode response = client.call(request("PUT").put("db", "fill").put("key", key)
                            .set("doc", RawWireClient.JSON.createObjectNode().put("i", i).put("pad", body)));
                    if (response.path("ok").asBoolean()) {
                        acked.put(key, response.path("result").path("rev").asLong());
                        consecutiveFailures = 0;
                    } else {
                        failures.merge(response.path("error").path("code").asText(), 1, Integer::sum);
                        consecutiveFailures++;
                    }
                }
                System.out.printf("%s disk full: %d acknowledged, failures %s%n", provider(), acked.size(), failures);
                assertThat(failures).as("every failed write is LIMIT_EXCEEDED").isNotEmpty().containsOnlyKeys("LIMIT_EXCEEDED");
                assertThat(acked).isNotEmpty();
                String first = acked.keySet().iterator().next();
                assertThat(client.ok(request("GET").put("db", "fill").put("key", first)).path("rev").asLong())
                        .isEqualTo(acked.get(first));

                Files.delete(filler);
                boolean resumed = false;
                for (int attempt = 0; attempt < 100 && !resumed; attempt++) {
                    ObjectNode response = client.call(request("PUT").put("db", "fill").put("key", "after")
                            .set("doc", RawWireClient.JSON.createObjectNode().put("after", true)));
                    resumed = response.path("ok").asBoolean();
                    if (!resumed) {
                        Thread.sleep(300);
                    }
                }
                assertThat(resumed).as("writes resume once space is freed, without a restart").isTrue();
                acked.put("after", 1L);
            }
            assertThat(server.stop()).isZero();
            server = start(env(port, provider(), data), port);
            try (RawWireClient client = login(port)) {
                long lost = acked.entrySet().stream().filter(e -> !hasRevision(client, "fill", e.getKey(), e.getValue())).count();
                System.out.printf("%s disk full: %d acknowledged, %d lost after a restart%n", provider(), acked.size(), lost);
                assertThat(lost).isZero();
            }
            server.stop();
        }
    }

    // ---- damage at rest

    @Test
    void aFlippedBitInAStoredDocumentIsReportedByVerifyAndAnsweredCorruptedNeverServed() throws Exception {
        Path data = work.resolve("data");
        int port = Ports.free();
        ServerProcess server = start(env(port, provider(), data), port);
        try (RawWireClient client = login(port)) {
            client.ok(request("CREATE_DB").put("db", "shop"));
            for (int i = 0; i < 200; i++) {
                put(client, "shop", "k" + i, RawWireClient.JSON.createObjectNode().put("i", i));
            }
            put(client, "shop", "victim", RawWireClient.JSON.createObjectNode().put("marker", MARKER + "-victim"));
        }
        assertThat(server.stop()).isZero();

        int flipped = flipInDataFiles(data, MARKER.getBytes(StandardCharsets.US_ASCII));
        assertThat(flipped).as("the document's bytes were found in the data files").isPositive();

        Cli verify = cli(List.of("verify", "-e", env(port, provider(), data).toString()), Map.of());
        assumeThat(verify.output()).as("verify for " + provider()).doesNotContain("cannot verify its files");
        assertThat(verify.exit()).as(verify.output()).isEqualTo(1);
        assertThat(verify.output()).contains("victim");

        server = start(env(port, provider(), data), port);
        try (RawWireClient client = login(port)) {
            assertThat(client.errorCode(request("GET").put("db", "shop").put("key", "victim"))).isEqualTo("CORRUPTED");
            assertThat(client.ok(request("GET").put("db", "shop").put("key", "k7")).path("doc").path("i").asInt()).isEqualTo(7);
            put(client, "shop", "k8", RawWireClient.JSON.createObjectNode().put("still", "writable"));
        }
        server.stop();
        assertThat(server.output()).contains("victim");
    }

    @Test
    void aTruncatedDataFileRefusesTheStartWithAMessageInsteadOfACrash() throws Exception {
        Path data = work.resolve("data");
        int port = Ports.free();
        ServerProcess server = start(env(port, provider(), data), port);
        try (RawWireClient client = login(port)) {
            client.ok(request("CREATE_DB").put("db", "shop"));
            for (int i = 0; i < 300; i++) {
                put(client, "shop", "k" + i, RawWireClient.JSON.createObjectNode().put("i", i).put("pad", "p".repeat(200)));
            }
        }
        assertThat(server.stop()).isZero();
        Path file = mainDataFile(data);
        long size = Files.size(file);
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            channel.truncate(size / 2);
        }

        ServerProcess restarted = ServerProcess.start(Build.unpackedDistribution(), work.resolve("out"),
                List.of("-e", env(port, provider(), data).toString()));
        processes.add(restarted);
        int exit = restarted.awaitExit();
        System.out.printf("%s truncated %s (%d -> %d bytes): exit %d%n", provider(), file.getFileName(), size, size / 2, exit);
        assertThat(exit).as(restarted.output()).isEqualTo(1);
        assertThat(restarted.output()).contains("py_db cannot start").contains(file.getFileName().toString());

        Cli verify = cli(List.of("verify", "-e", env(port, provider(), data).toString()), Map.of());
        assertThat(verify.exit()).as("verify reports the damage or that it cannot read, and does not crash: " + verify.output())
                .isIn(1, 2);
    }

    // ---- kill -9 and torn log tails

    @Test
    void killedDuringBatchesThenATornLogTailLosesNoAcknowledgedBatchAndAppliesNoneByHalves() throws Exception {
        Path data = work.resolve("data");
        int port = Ports.free();
        ServerProcess server = start(env(port, provider(), data), port);
        try (RawWireClient client = login(port)) {
            client.ok(request("CREATE_DB").put("db", "batches"));
        }
        Map<String, Integer> ackedBatches = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            int writer = t;
            writers.add(Thread.ofPlatform().start(() -> {
                try (RawWireClient client = login(port)) {
                    for (int n = 0; !stop.get(); n++) {
                        ObjectNode batch = request("BATCH").put("db", "batches");
                        ArrayNode ops = batch.putArray("ops");
                        for (int i = 0; i < 10; i++) {
                            ops.addObject().put("action", "PUT").put("key", "b-" + writer + "-" + n + "-" + i)
                                    .set("doc", RawWireClient.JSON.createObjectNode().put("n", n).put("i", i));
                        }
                        client.ok(batch);
                        ackedBatches.put("b-" + writer + "-" + n, 10);
                    }
                } catch (IOException | AssertionError e) {
                    // the server was killed under this writer
                }
            }));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (ackedBatches.size() < 300 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        server.kill();
        stop.set(true);
        for (Thread writer : writers) {
            writer.join();
        }
        assertThat(ackedBatches).hasSizeGreaterThanOrEqualTo(300);

        Optional<Path> log = logFile(data);
        long tornAt = -1;
        if (log.isPresent()) {
            tornAt = Files.size(log.get());
            Files.write(log.get(), new byte[] {0x13, 0x00, 0x00, 0x00, 0x7f, 0x01, 0x42}, java.nio.file.StandardOpenOption.APPEND);
        }

        server = start(env(port, provider(), data), port);
        try (RawWireClient client = login(port)) {
            Map<String, Integer> present = new TreeMap<>();
            for (JsonNode doc : findAll(client, "batches")) {
                String key = doc.path("key").asText();
                present.merge(key.substring(0, key.lastIndexOf('-')), 1, Integer::sum);
            }
            long lost = ackedBatches.keySet().stream().filter(batch -> present.getOrDefault(batch, 0) != 10).count();
            long halves = present.values().stream().filter(n -> n != 10).count();
            System.out.printf("%s kill -9 during batches: %d acknowledged batches, %d lost, %d applied by halves,"
                    + " %d batches present%n", provider(), ackedBatches.size(), lost, halves, present.size());
            assertThat(lost).isZero();
            assertThat(halves).isZero();
        }
        server.stop();
        if (log.isPresent()) {
            assertThat(server.output()).as("the torn tail is cut with a WARN naming the file")
                    .containsPattern("WARN.*" + java.util.regex.Pattern.quote(log.get().getFileName().toString()));
            System.out.printf("%s torn tail of %s at offset %d: cut with a WARN%n", provider(), log.get().getFileName(), tornAt);
        }
    }

    // ---- backup under load, restore into another backend

    @Test
    void aBackupUnderConcurrentWritesIsConsistentAndRestoresIntoAnotherBackendWithIdenticalContents() throws Exception {
        Path data = work.resolve("data");
        int port = Ports.free();
        Path env = env(port, provider(), data);
        ServerProcess server = start(env, port);
        List<String> ackedBeforeBackup = new ArrayList<>();
        try (RawWireClient client = login(port)) {
            client.ok(request("CREATE_DB").put("db", "bulk"));
            client.ok(request("CREATE_DB").put("db", "pairs"));
            client.ok(request("CREATE_DB").put("db", "empty"));
            for (int b = 0; b < 10; b++) {
                ObjectNode batch = request("BATCH").put("db", "bulk");
                ArrayNode ops = batch.putArray("ops");
                for (int i = 0; i < 500; i++) {
                    String key = String.format("d%05d", b * 500 + i);
                    ops.addObject().put("action", "PUT").put("key", key).set("doc", RawWireClient.JSON.createObjectNode()
                            .put("i", b * 500 + i).put("text", "é \"quoted\" ✓").put("f", 1.5));
                    ackedBeforeBackup.add(key);
                }
                client.ok(batch);
            }
        }
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int writer = t;
            writers.add(Thread.ofPlatform().start(() -> {
                try (RawWireClient client = login(port)) {
                    for (int n = 0; !stop.get(); n++) {
                        ObjectNode batch = request("BATCH").put("db", "pairs");
                        ArrayNode ops = batch.putArray("ops");
                        for (String side : List.of("left", "right")) {
                            ops.addObject().put("action", "PUT").put("key", "pair-" + writer + "-" + (n % 50) + "-" + side)
                                    .set("doc", RawWireClient.JSON.createObjectNode().put("n", n));
                        }
                        client.ok(batch);
                        client.ok(request("PUT").put("db", "bulk").put("key", "w" + writer + "-" + n)
                                .set("doc", RawWireClient.JSON.createObjectNode().put("n", n)));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }));
        }
        Thread.sleep(500);
        Path backup = work.resolve("backup");
        Cli backupRun = cli(List.of("backup", "-e", env.toString(), "--to", backup.toString(), "--user", EnvFile.USER),
                Map.of("PYDB_PASSWORD", EnvFile.PASSWORD));
        Thread.sleep(300);
        stop.set(true);
        for (Thread writer : writers) {
            writer.join();
        }
        server.stop();
        assumeThat(backupRun.output()).as("a backup of " + provider()).doesNotContain("UNSUPPORTED");
        assertThat(backupRun.exit()).as(backupRun.output()).isZero();

        Map<String, Map<String, JsonNode>> backedUp = readBackup(backup);
        assertThat(backedUp.keySet()).containsExactly("bulk", "empty", "pairs");
        assertThat(backedUp.get("bulk").keySet()).containsAll(ackedBeforeBackup);
        assertThat(backedUp.get("empty")).isEmpty();
        for (Map.Entry<String, JsonNode> entry : backedUp.get("pairs").entrySet()) {
            if (entry.getKey().endsWith("-left")) {
                JsonNode right = backedUp.get("pairs").get(entry.getKey().replace("-left", "-right"));
                assertThat(right).as("a pair written in one batch is in the backup as a whole").isNotNull();
                assertThat(right.path("doc")).isEqualTo(entry.getValue().path("doc"));
                assertThat(right.path("rev")).isEqualTo(entry.getValue().path("rev"));
            }
        }

        Path restored = work.resolve("restored");
        Path restoredEnv = env(port, restoreInto(), restored);
        Cli restore = cli(List.of("restore", "-e", restoredEnv.toString(), "--from", backup.toString()), Map.of());
        assumeThat(restore.output()).as("a restore into " + restoreInto()).doesNotContain("cannot import");
        assertThat(restore.exit()).as(restore.output()).isZero();
        System.out.printf("%s -> %s: %s%n", provider(), restoreInto(), restore.output().strip());

        Cli verify = cli(List.of("verify", "-e", restoredEnv.toString()), Map.of());
        if (!verify.output().contains("cannot verify its files")) {
            assertThat(verify.exit()).as(verify.output()).isZero();
        }

        ServerProcess restoredServer = start(restoredEnv, port);
        try (RawWireClient client = login(port)) {
            Map<String, Map<String, JsonNode>> served = new TreeMap<>();
            for (JsonNode db : client.ok(request("LIST_DBS"))) {
                Map<String, JsonNode> docs = new TreeMap<>();
                for (JsonNode doc : findAll(client, db.asText())) {
                    docs.put(doc.path("key").asText(), doc);
                }
                served.put(db.asText(), docs);
            }
            assertThat(served).isEqualTo(backedUp);
        }
        restoredServer.stop();
    }

    // ---- helpers

    private Path env(int port, String provider, Path data) {
        return EnvFile.write(EnvFile.of("127.0.0.1", port, provider, data.toString(), null),
                work.resolve("env-" + provider + "-" + data.getFileName() + ".json"));
    }

    private ServerProcess start(Path env, int port) {
        ServerProcess server = ServerProcess.start(Build.unpackedDistribution(), work.resolve("out"), List.of("-e", env.toString()));
        processes.add(server);
        return server.awaitPing(port);
    }

    private static RawWireClient login(int port) throws IOException {
        RawWireClient client = RawWireClient.connect("127.0.0.1", port);
        client.login(EnvFile.USER, EnvFile.PASSWORD);
        return client;
    }

    private static void put(RawWireClient client, String db, String key, ObjectNode doc) throws IOException {
        client.ok(request("PUT").put("db", db).put("key", key).set("doc", doc));
    }

    private static boolean hasRevision(RawWireClient client, String db, String key, long rev) {
        try {
            ObjectNode response = client.call(request("GET").put("db", db).put("key", key));
            return response.path("ok").asBoolean() && response.path("result").path("rev").asLong() == rev;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every document of {@code db} as FIND returns them ({@code key}, {@code rev}, {@code doc}). */
    private static List<JsonNode> findAll(RawWireClient client, String db) throws IOException {
        List<JsonNode> all = new ArrayList<>();
        String after = null;
        do {
            ObjectNode find = request("FIND").put("db", db).put("limit", 1000);
            if (after != null) {
                find.put("after", after);
            }
            JsonNode page = client.ok(find);
            page.path("docs").forEach(all::add);
            after = page.path("next").isNull() ? null : page.path("next").asText();
        } while (after != null);
        return all;
    }

    /** The backup's documents per database, as FIND would show them. */
    private static Map<String, Map<String, JsonNode>> readBackup(Path backup) throws IOException {
        JsonNode manifest = RawWireClient.JSON.readTree(backup.resolve("manifest.json").toFile());
        Map<String, Map<String, JsonNode>> all = new TreeMap<>();
        for (JsonNode db : manifest.path("databases")) {
            Map<String, JsonNode> docs = new TreeMap<>();
            for (String line : Files.readAllLines(backup.resolve(db.path("file").asText()))) {
                JsonNode node = RawWireClient.JSON.readTree(line);
                ObjectNode doc = RawWireClient.JSON.createObjectNode();
                doc.set("key", node.get("key"));
                doc.set("rev", node.get("rev"));
                doc.set("doc", node.get("doc"));
                docs.put(node.path("key").asText(), doc);
            }
            assertThat(docs).hasSize(db.path("documents").asInt());
            all.put(db.path("name").asText(), docs);
        }
        return all;
    }

    /** Flips one bit (the case of the first letter) of every copy of {@code marker} in the data files (not the logs). */
    private static int flipInDataFiles(Path data, byte[] marker) throws IOException {
        int flipped = 0;
        List<Path> files;
        try (Stream<Path> walk = Files.walk(data)) {
            files = walk.filter(Files::isRegularFile)
                    .filter(file -> !file.getFileName().toString().matches(".*(log|wal|lock|redo).*"))
                    .toList();
        }
        for (Path file : files) {
            byte[] bytes = Files.readAllBytes(file);
            boolean changed = false;
            for (int i = indexOf(bytes, marker, 0); i >= 0; i = indexOf(bytes, marker, i + 1)) {
                bytes[i] ^= 0x20;
                changed = true;
                flipped++;
            }
            if (changed) {
                Files.write(file, bytes);
            }
        }
        return flipped;
    }

    private static int indexOf(byte[] bytes, byte[] pattern, int from) {
        outer:
        for (int i = from; i <= bytes.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (bytes[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    record Cli(int exit, String output) {}

    /** Runs {@code bin/pydb <args>} to its end. */
    private Cli cli(List<String> args, Map<String, String> environment) {
        ServerProcess process = ServerProcess.start(Build.unpackedDistribution(), work.resolve("out"), args, environment, null);
        processes.add(process);
        int exit = process.awaitExit();
        return new Cli(exit, process.output());
    }

    static Path newest(Path folder, String glob) throws IOException {
        try (var files = Files.newDirectoryStream(folder, glob)) {
            Path newest = null;
            for (Path file : files) {
                if (newest == null || file.getFileName().toString().compareTo(newest.getFileName().toString()) > 0) {
                    newest = file;
                }
            }
            if (newest == null) {
                throw new IOException("no " + glob + " in " + folder);
            }
            return newest;
        }
    }
}
