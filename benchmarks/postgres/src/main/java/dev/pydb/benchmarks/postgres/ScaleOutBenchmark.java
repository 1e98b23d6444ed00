package dev.pydb.benchmarks.postgres;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.client.Batch;
import dev.pydb.client.PydbClient;
import dev.pydb.client.PydbClientConfig;
import dev.pydb.client.Query;
import dev.pydb.storage.postgres.cluster.LocalPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The same GET/PUT/FIND mix, closed loop, {@code --clients} threads each with one connection:
 * <ol>
 *   <li>straight through pgjdbc on a table {@code direct.docs (key text PRIMARY KEY, doc jsonb)}
 *       with a GIN index: GET = {@code SELECT doc … WHERE key = ?}, PUT = {@code INSERT … ON CONFLICT
 *       DO UPDATE}, FIND = {@code SELECT … WHERE doc @> ? ORDER BY key LIMIT 10};</li>
 *   <li>through py_db on the postgres backend, the clients spread over 1, then 2, then 3 nodes
 *       started from the distribution (the Java client, one connection per thread).</li>
 * </ol>
 * Prints operations per second of each phase, py_db's overhead (pgjdbc ÷ py_db with one node)
 * and the scaling (2 and 3 nodes ÷ 1 node). Documents: {@code {"i": n, "group": n % 100, "name": …}},
 * {@code --documents} of them (default 10,000). All on one machine: clients, nodes and PostgreSQL
 * share its cores, so on a small machine the node scaling measures mostly that sharing.
 */
public final class ScaleOutBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USER = "bench-admin";
    private static final String PASSWORD = "bench-password-for-this-run-only";

    private final Settings settings;

    private ScaleOutBenchmark(Settings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) throws Exception {
        new ScaleOutBenchmark(Settings.parse(args)).run();
    }

    private void run() throws Exception {
        LocalPostgres own = null;
        String url = settings.jdbcUrl;
        String user = settings.user;
        String password = settings.password;
        if (url == null) {
            own = LocalPostgres.startPrimary();
            url = own.jdbcUrl();
            user = LocalPostgres.USER;
            password = LocalPostgres.PASSWORD;
            System.out.println("PostgreSQL started on port " + own.port());
        }
        List<Process> nodes = new ArrayList<>();
        Path work = Files.createTempDirectory("pydb-scaleout-");
        try {
            Phase direct = direct(url, user, password);
            int[] ports = new int[3];
            for (int n = 0; n < 3; n++) {
                ports[n] = freePort();
                nodes.add(startNode(work, n, ports[n], url, user, password));
            }
            for (int port : ports) {
                awaitPing(port);
            }
            load(ports[0]);
            List<Phase> pydb = new ArrayList<>();
            for (int used = 1; used <= 3; used++) {
                pydb.add(throughPydb(ports, used));
            }
            report(direct, pydb);
        } finally {
            for (Process node : nodes) {
                node.destroy();
                node.waitFor(30, TimeUnit.SECONDS);
            }
            if (own != null) {
                own.close();
            }
        }
    }

    private Phase direct(String url, String user, String password) throws Exception {
        try (Connection connection = DriverManager.getConnection(url, user, password); Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS direct CASCADE");
            statement.execute("CREATE SCHEMA direct");
            statement.execute("CREATE TABLE direct.docs (key text PRIMARY KEY, doc jsonb NOT NULL)");
            statement.execute("CREATE INDEX ON direct.docs USING gin (doc jsonb_path_ops)");
            statement.execute("INSERT INTO direct.docs SELECT 'k' || i, jsonb_build_object('i', i, 'group', i % 100, 'name',"
                    + " 'user-' || i) FROM generate_series(0, " + (settings.documents - 1) + ") i");
            statement.execute("ANALYZE direct.docs");
        }
        return measure("pgjdbc", client -> {
            Connection connection = DriverManager.getConnection(url, user, password);
            PreparedStatement get = connection.prepareStatement("SELECT doc FROM direct.docs WHERE key = ?");
            PreparedStatement put = connection.prepareStatement("INSERT INTO direct.docs (key, doc) VALUES (?, ?::jsonb)"
                    + " ON CONFLICT (key) DO UPDATE SET doc = excluded.doc");
            PreparedStatement find = connection.prepareStatement(
                    "SELECT key, doc FROM direct.docs WHERE doc @> ?::jsonb ORDER BY key LIMIT 10");
            return operation -> {
                int i = ThreadLocalRandom.current().nextInt(settings.documents);
                switch (operation) {
                    case GET -> {
                        get.setString(1, "k" + i);
                        drain(get.executeQuery());
                    }
                    case PUT -> {
                        put.setString(1, "k" + i);
                        put.setString(2, document(i).toString());
                        put.executeUpdate();
                    }
                    case FIND -> {
                        find.setString(1, "{\"group\": " + (i % 100) + "}");
                        drain(find.executeQuery());
                    }
                }
            };
        });
    }

    private Phase throughPydb(int[] ports, int used) throws Exception {
        return measure("py_db, " + used + " node" + (used == 1 ? "" : "s"), client -> {
            PydbClient pydb = PydbClient.connect(PydbClientConfig.builder("127.0.0.1", ports[client % used])
                    .credentials(USER, PASSWORD).poolSize(1).requestTimeout(Duration.ofSeconds(30)).build());
            return operation -> {
                int i = ThreadLocalRandom.current().nextInt(settings.documents);
                switch (operation) {
                    case GET -> pydb.get("bench", "k" + i);
                    case PUT -> pydb.put("bench", "k" + i, document(i));
                    case FIND -> pydb.find("bench", Query.all().where(JSON.createObjectNode().put("group", i % 100)).limit(10));
                }
            };
        });
    }

    private void load(int port) {
        try (PydbClient pydb = PydbClient.connect(PydbClientConfig.builder("127.0.0.1", port).credentials(USER, PASSWORD)
                .build())) {
            pydb.createDb("bench");
            for (int start = 0; start < settings.documents; start += 500) {
                Batch.Builder batch = Batch.builder();
                for (int i = start; i < Math.min(settings.documents, start + 500); i++) {
                    batch.put("k" + i, document(i));
                }
                pydb.batch("bench", batch.build());
            }
        }
    }

    private Phase measure(String name, ClientFactory factory) throws Exception {
        LongAdder operations = new LongAdder();
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch ready = new CountDownLatch(settings.clients);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int c = 0; c < settings.clients; c++) {
            int client = c;
            threads.add(Thread.ofPlatform().name("client-" + c).start(() -> {
                try {
                    Client operationsOfThisClient = factory.create(client);
                    ready.countDown();
                    while (!stop.get()) {
                        operationsOfThisClient.run(settings.nextOperation());
                        if (measuring.get()) {
                            operations.increment();
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                    ready.countDown();
                }
            }));
        }
        ready.await();
        Thread.sleep(Math.min(3000, settings.seconds * 300L));
        measuring.set(true);
        long start = System.nanoTime();
        Thread.sleep(settings.seconds * 1000L);
        measuring.set(false);
        long elapsed = System.nanoTime() - start;
        stop.set(true);
        for (Thread thread : threads) {
            thread.join(60_000);
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException(name + ": " + failures.size() + " clients failed", failures.get(0));
        }
        Phase phase = new Phase(name, operations.sum() * 1e9 / elapsed);
        System.out.printf(Locale.ROOT, "%-16s %10.0f ops/s%n", phase.name, phase.opsPerSecond);
        return phase;
    }

    private void report(Phase direct, List<Phase> pydb) {
        System.out.printf(Locale.ROOT, "%nmix GET/PUT/FIND %d/%d/%d, %d clients, %d documents, %d s per phase%n",
                settings.getPercent, settings.putPercent, 100 - settings.getPercent - settings.putPercent, settings.clients,
                settings.documents, settings.seconds);
        System.out.printf(Locale.ROOT, "py_db overhead: pgjdbc ÷ py_db (1 node) = %.2f%n", direct.opsPerSecond / pydb.get(0).opsPerSecond);
        System.out.printf(Locale.ROOT, "node scaling: 2 nodes ÷ 1 = %.2f, 3 nodes ÷ 1 = %.2f%n",
                pydb.get(1).opsPerSecond / pydb.get(0).opsPerSecond, pydb.get(2).opsPerSecond / pydb.get(0).opsPerSecond);
    }

    private Process startNode(Path work, int n, int port, String url, String user, String password) throws IOException {
        ObjectNode env = JSON.createObjectNode();
        env.putObject("server").put("host", "127.0.0.1").put("port", port).put("max_connections", 1024);
        ObjectNode storage = env.putObject("storage").put("provider", "postgres").put("path", work.resolve("node" + n).toString());
        storage.putObject("options").put("url", url).put("user", user).put("password", password).put("pool_size", 16)
                .put("schema", "bench");
        ObjectNode auth = env.putObject("auth").put("token_ttl_seconds", 3600);
        ObjectNode admin = auth.putArray("users").addObject().put("username", USER).put("password", PASSWORD);
        admin.putArray("roles").add("admin");
        env.putObject("logging").put("level", "WARN").put("console", true).putNull("file");
        env.putObject("plugins").put("dir", "plugins");
        Path envFile = work.resolve("env" + n + ".json");
        JSON.writerWithDefaultPrettyPrinter().writeValue(envFile.toFile(), env);
        ProcessBuilder builder = new ProcessBuilder(settings.distribution.resolve("bin/pydb").toString(), "-e", envFile.toString());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.redirectErrorStream(true).redirectOutput(work.resolve("node" + n + ".log").toFile());
        builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        return builder.start();
    }

    private static void awaitPing(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("py_db on port " + port + " did not start within 60 s");
    }

    private static ObjectNode document(int i) {
        return JSON.createObjectNode().put("i", i).put("group", i % 100).put("name", "user-" + i);
    }

    private static void drain(ResultSet rows) throws SQLException {
        try (rows) {
            while (rows.next()) {
                rows.getString(rows.getMetaData().getColumnCount());
            }
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    enum Operation { GET, PUT, FIND }

    @FunctionalInterface
    interface Client {
        void run(Operation operation) throws Exception;
    }

    @FunctionalInterface
    interface ClientFactory {
        Client create(int client) throws Exception;
    }

    record Phase(String name, double opsPerSecond) {}

    /** The command line: --distribution, --seconds, --clients, --documents, --mix GET,PUT,FIND, --jdbc-url, --user, --password. */
    static final class Settings {
        Path distribution;
        int seconds = 10;
        int clients = 16;
        int documents = 10_000;
        int getPercent = 80;
        int putPercent = 15;
        String jdbcUrl;
        String user;
        String password;

        static Settings parse(String[] args) {
            Settings settings = new Settings();
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--distribution" -> settings.distribution = Path.of(value);
                    case "--seconds" -> settings.seconds = Integer.parseInt(value);
                    case "--clients" -> settings.clients = Integer.parseInt(value);
                    case "--documents" -> settings.documents = Integer.parseInt(value);
                    case "--mix" -> {
                        String[] parts = value.split(",");
                        settings.getPercent = Integer.parseInt(parts[0]);
                        settings.putPercent = Integer.parseInt(parts[1]);
                        if (settings.getPercent + settings.putPercent + Integer.parseInt(parts[2]) != 100) {
                            throw new IllegalArgumentException("--mix must add up to 100: " + value);
                        }
                    }
                    case "--jdbc-url" -> settings.jdbcUrl = value;
                    case "--user" -> settings.user = value;
                    case "--password" -> settings.password = value;
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]
                            + " (known: --distribution --seconds --clients --documents --mix --jdbc-url --user --password)");
                }
                i++;
            }
            if (settings.distribution == null) {
                throw new IllegalArgumentException("--distribution <unpacked py_db> is required");
            }
            return settings;
        }

        Operation nextOperation() {
            int roll = ThreadLocalRandom.current().nextInt(100);
            return roll < getPercent ? Operation.GET : roll < getPercent + putPercent ? Operation.PUT : Operation.FIND;
        }
    }
}
