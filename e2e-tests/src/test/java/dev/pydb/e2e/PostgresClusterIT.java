package dev.pydb.e2e;

import static dev.pydb.e2e.RawWireClient.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.storage.postgres.cluster.LocalPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three py_db nodes from the unpacked distribution on one PostgreSQL primary with a synchronous
 * streaming replica; the nodes' URL lists both hosts with {@code targetServerType=primary}. Clients
 * spread over the nodes: shared LOGIN tokens and LOGOUT, the CAS counter (8 × 40 = 320 exactly), a
 * node killed with SIGKILL mid-load, and the replica promoted while writing (the old primary
 * stopped as by a crash): nothing acknowledged is lost, and the outage clients saw is printed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostgresClusterIT {
    private static final int NODES = 3;
    private static final int CLIENTS = 8;

    private LocalPostgres primary;
    private LocalPostgres replica;
    private Path work;
    private final int[] ports = new int[NODES];
    private final Path[] envFiles = new Path[NODES];
    private final ServerProcess[] nodes = new ServerProcess[NODES];
    private String token;

    @BeforeAll
    void startCluster(@TempDir Path work) throws IOException {
        this.work = work;
        LocalPostgres.requireAvailable();
        primary = LocalPostgres.startPrimary();
        replica = primary.startReplica();
        Awaitility.await("synchronous replication").atMost(Duration.ofSeconds(60)).until(() ->
                primary.psql("postgres", "SELECT string_agg(sync_state, ',') FROM pg_stat_replication").equals("sync"));
        String url = "jdbc:postgresql://127.0.0.1:" + primary.port() + ",127.0.0.1:" + replica.port() + "/"
                + LocalPostgres.DATABASE + "?targetServerType=primary&hostRecheckSeconds=1";
        for (int n = 0; n < NODES; n++) {
            ports[n] = Ports.free();
            ObjectNode env = EnvFile.of("127.0.0.1", ports[n], "postgres", work.resolve("node" + n).toString(), null);
            ((ObjectNode) env.get("storage")).putObject("options").put("url", url).put("user", LocalPostgres.USER)
                    .put("password", LocalPostgres.PASSWORD).put("pool_size", 8).put("schema", "cluster")
                    .put("connect_timeout_seconds", 30);
            envFiles[n] = EnvFile.write(env, work.resolve("env" + n + ".json"));
            startNode(n);
        }
        try (RawWireClient client = connect(0)) {
            token = client.login(EnvFile.USER, EnvFile.PASSWORD).get("token").textValue();
            client.ok(request("CREATE_DB").put("db", "cluster"));
        }
    }

    @AfterAll
    void stopCluster() {
        for (ServerProcess node : nodes) {
            if (node != null) {
                node.close();
            }
        }
        if (replica != null) {
            replica.close();
        }
        if (primary != null) {
            primary.close();
        }
    }

    @Test
    @Order(1)
    void aTokenFromOneNodeWorksOnEveryNodeAndStatsNameTheNode() throws IOException {
        for (int n = 0; n < NODES; n++) {
            try (RawWireClient client = connect(n)) {
                JsonNode stats = client.ok(withToken(request("STATS"), token));
                assertThat(stats.get("node").textValue()).isEqualTo("127.0.0.1:" + ports[n]);
                assertThat(stats.get("storage").get("provider").textValue()).isEqualTo("postgres");
            }
        }
    }

    @Test
    @Order(2)
    void logoutOnOneNodeEndsTheTokenOnEveryOtherAtOnce() throws IOException {
        String other;
        try (RawWireClient client = connect(0)) {
            other = client.login(EnvFile.USER, EnvFile.PASSWORD).get("token").textValue();
        }
        try (RawWireClient b = connect(1); RawWireClient c = connect(2)) {
            assertThat(c.call(withToken(request("LIST_DBS"), other)).get("ok").booleanValue()).isTrue();
            b.ok(withToken(request("LOGOUT"), other));
            assertThat(c.call(withToken(request("LIST_DBS"), other)).get("error").get("code").textValue())
                    .isEqualTo("UNAUTHENTICATED");
        }
        try (RawWireClient a = connect(0)) {
            assertThat(a.call(withToken(request("LIST_DBS"), other)).get("error").get("code").textValue())
                    .isEqualTo("UNAUTHENTICATED");
            assertThat(a.call(withToken(request("LIST_DBS"), token)).get("ok").booleanValue()).as("the other token lives")
                    .isTrue();
        }
    }

    @Test
    @Order(3)
    void eightClientsOnThreeNodesDoFortyCompareAndSetIncrementsEachExactly320() throws Exception {
        try (RawWireClient client = connect(0)) {
            client.ok(withToken(request("PUT").put("db", "cluster").put("key", "counter"), token)
                    .set("doc", RawWireClient.JSON.readTree("{\"n\": 0}")));
        }
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<Integer>> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int node = c % NODES;
                clients.add(pool.submit(() -> incrementForty(node)));
            }
            for (Future<Integer> client : clients) {
                assertThat(client.get(180, TimeUnit.SECONDS)).isEqualTo(40);
            }
        } finally {
            pool.shutdownNow();
        }
        try (RawWireClient client = connect(2)) {
            JsonNode counter = client.ok(withToken(request("GET").put("db", "cluster").put("key", "counter"), token));
            assertThat(counter.get("doc").get("n").intValue()).isEqualTo(CLIENTS * 40);
            assertThat(counter.get("rev").intValue()).isEqualTo(CLIENTS * 40 + 1);
        }
    }

    @Test
    @Order(4)
    void killingOneNodeMidLoadLosesNoAcknowledgedWrite() throws Exception {
        Load load = new Load("kill");
        load.start();
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> load.acknowledged.size() >= 300);
        nodes[2].kill();
        int atKill = load.acknowledged.size();
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> load.acknowledged.size() >= atKill + 300);
        load.stop();
        startNode(2);
        assertAllPresent(load.acknowledged);
        System.out.println("kill -9 of node 2: " + load.acknowledged.size() + " writes acknowledged, all present");
    }

    @Test
    @Order(5)
    void promotingTheReplicaWhileWritingLosesNoAcknowledgedWriteAndTheNodesReconnect() throws Exception {
        Load load = new Load("failover");
        load.start();
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> load.acknowledged.size() >= 300);
        long failoverStart = System.nanoTime();
        primary.stop("immediate");
        replica.promote();
        long promoted = System.nanoTime();
        int atPromotion = load.acknowledged.size();
        Awaitility.await("writes after the promotion").atMost(Duration.ofSeconds(120))
                .until(() -> load.acknowledged.size() >= atPromotion + 300);
        load.stop();
        assertAllPresent(load.acknowledged);
        long outage = load.longestGapMillisAfter(failoverStart);
        System.out.printf("failover: primary stopped (immediate) and replica promoted in %d ms; longest time without an"
                + " acknowledged write across %d clients: %d ms; %d writes acknowledged, all present; %d failed with"
                + " UNAVAILABLE (of which %d outcome unknown), %d connection errors%n",
                TimeUnit.NANOSECONDS.toMillis(promoted - failoverStart), CLIENTS, outage, load.acknowledged.size(),
                load.unavailable.get(), load.outcomeUnknown.get(), load.connectionErrors.get());
        for (int n = 0; n < NODES; n++) {
            try (RawWireClient client = connect(n)) {
                assertThat(client.call(withToken(request("LIST_DBS"), token)).get("ok").booleanValue())
                        .as("node %d serves again, with a token from before the failover", n).isTrue();
            }
        }
    }

    private int incrementForty(int node) throws IOException {
        try (RawWireClient client = connect(node)) {
            int done = 0;
            while (done < 40) {
                JsonNode current = client.ok(withToken(request("GET").put("db", "cluster").put("key", "counter"), token));
                int n = current.get("doc").get("n").intValue();
                ObjectNode reply = client.call(withToken(request("PUT").put("db", "cluster").put("key", "counter")
                        .put("rev", current.get("rev").longValue()), token)
                        .set("doc", RawWireClient.JSON.createObjectNode().put("n", n + 1)));
                if (reply.get("ok").booleanValue()) {
                    done++;
                } else {
                    assertThat(reply.get("error").get("code").textValue()).isEqualTo("CONFLICT");
                }
            }
            return done;
        }
    }

    private void assertAllPresent(Map<String, Integer> acknowledged) throws IOException {
        try (RawWireClient client = connect(0)) {
            for (Map.Entry<String, Integer> write : acknowledged.entrySet()) {
                ObjectNode reply = client.call(withToken(request("GET").put("db", "cluster").put("key", write.getKey()), token));
                assertThat(reply.get("ok").booleanValue()).as("acknowledged write %s: %s", write.getKey(), reply).isTrue();
                assertThat(reply.get("result").get("doc").get("i").intValue()).isEqualTo(write.getValue());
            }
        }
    }

    private void startNode(int n) {
        nodes[n] = ServerProcess.start(Build.unpackedDistribution(), work.resolve("out" + n + "-" + System.nanoTime()),
                List.of("-e", envFiles[n].toString())).awaitPing(ports[n]);
    }

    private RawWireClient connect(int node) throws IOException {
        return RawWireClient.connect("127.0.0.1", ports[node]);
    }

    private static ObjectNode withToken(ObjectNode request, String token) {
        request.putObject("auth").put("token", token);
        return request;
    }

    /**
     * {@link #CLIENTS} writers, client c starting on node c % 3, each putting its own keys with the
     * one shared token; a broken connection moves the client to the next node. Records every
     * acknowledged write and when it was acknowledged.
     */
    private final class Load {
        final Map<String, Integer> acknowledged = new ConcurrentHashMap<>();
        final List<Long> acknowledgedAt = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger unavailable = new AtomicInteger();
        final AtomicInteger outcomeUnknown = new AtomicInteger();
        final AtomicInteger connectionErrors = new AtomicInteger();
        private final AtomicBoolean stopped = new AtomicBoolean();
        private final List<Thread> writers = new ArrayList<>();
        private final String prefix;

        Load(String prefix) {
            this.prefix = prefix;
        }

        void start() {
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                writers.add(Thread.ofPlatform().name("writer-" + prefix + "-" + c).start(() -> write(client)));
            }
        }

        void stop() throws InterruptedException {
            stopped.set(true);
            for (Thread writer : writers) {
                writer.join(60_000);
            }
        }

        long longestGapMillisAfter(long startNanos) {
            List<Long> times;
            synchronized (acknowledgedAt) {
                times = new ArrayList<>(acknowledgedAt);
            }
            Collections.sort(times);
            long previous = startNanos;
            long longest = 0;
            for (long time : times) {
                if (time > startNanos) {
                    longest = Math.max(longest, time - previous);
                    previous = time;
                }
            }
            return TimeUnit.NANOSECONDS.toMillis(longest);
        }

        private void write(int client) {
            int node = client % NODES;
            int i = 0;
            while (!stopped.get()) {
                try (RawWireClient connection = connect(node)) {
                    while (!stopped.get()) {
                        String key = prefix + "-" + client + "-" + i;
                        ObjectNode reply = connection.call(withToken(request("PUT").put("db", "cluster").put("key", key),
                                token).set("doc", RawWireClient.JSON.createObjectNode().put("i", i)));
                        if (reply.get("ok").booleanValue()) {
                            acknowledged.put(key, i);
                            acknowledgedAt.add(System.nanoTime());
                        } else {
                            JsonNode error = reply.get("error");
                            assertThat(error.get("code").textValue()).as("%s", reply).isEqualTo("UNAVAILABLE");
                            unavailable.incrementAndGet();
                            if ("unknown".equals(error.path("outcome").asText())) {
                                outcomeUnknown.incrementAndGet();
                            }
                        }
                        i++;
                    }
                } catch (IOException e) {
                    connectionErrors.incrementAndGet();
                    node = (node + 1) % NODES;
                    i++;
                    sleep(50);
                }
            }
        }

        private void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
