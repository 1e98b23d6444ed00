package dev.pydb.ycsb;

import static dev.pydb.ycsb.YcsbRecords.properties;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pydb.client.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import site.ycsb.DB;
import site.ycsb.measurements.Measurements;
import site.ycsb.workloads.CoreWorkload;

/** Each standard workload file, run briefly through YCSB's own CoreWorkload against both bindings. */
class StandardWorkloadsTest {
    private static final int RECORDS = 50;
    private static final int OPERATIONS = 200;

    @TempDir
    static Path dir;

    private static TestServer pydb;
    private static RedisServer redis;

    @BeforeAll
    static void startServers() {
        pydb = TestServer.start(dir.resolve("pydb"));
        if (RedisServer.installed()) {
            redis = RedisServer.start(dir);
        }
    }

    @AfterAll
    static void stopServers() {
        pydb.close();
        if (redis != null) {
            redis.close();
        }
    }

    private static Properties workload(String name) throws IOException {
        Properties properties = new Properties();
        try (InputStream in = StandardWorkloadsTest.class.getResourceAsStream("/workloads/" + name)) {
            assertThat(in).as("workloads/" + name + " on the class path").isNotNull();
            properties.load(in);
        }
        properties.setProperty("recordcount", String.valueOf(RECORDS));
        properties.setProperty("operationcount", String.valueOf(OPERATIONS));
        return properties;
    }

    private static Map<String, Long> run(String name, DB binding, Properties connection) throws Exception {
        Properties properties = workload(name);
        properties.putAll(connection);
        Measurements.setProperties(properties);
        binding.setProperties(properties);
        binding.init();
        StatusCountingDb db = new StatusCountingDb(binding);
        try {
            CoreWorkload workload = new CoreWorkload();
            workload.init(properties);
            Object state = workload.initThread(properties, 0, 1);
            for (int i = 0; i < RECORDS; i++) {
                workload.doInsert(db, state);
            }
            for (int i = 0; i < OPERATIONS; i++) {
                workload.doTransaction(db, state);
            }
            workload.cleanup();
        } finally {
            binding.cleanup();
        }
        return db.counts();
    }

    @ParameterizedTest
    @ValueSource(strings = {"workloada", "workloadb", "workloadc", "workloadd", "workloade", "workloadf"})
    void pydb(String name) throws Exception {
        Map<String, Long> counts = run(name, new PydbYcsbClient(), properties("pydb.port", String.valueOf(pydb.port()),
                "pydb.password", "admin-pw", "pydb.database", name));

        assertOnlySuccesses(counts);
    }

    @ParameterizedTest
    @ValueSource(strings = {"workloada", "workloadb", "workloadc", "workloadd", "workloade", "workloadf"})
    void redis(String name) throws Exception {
        assumeTrue(redis != null, "redis-server is not installed at " + RedisServer.EXECUTABLE);
        try (var jedis = new redis.clients.jedis.Jedis("127.0.0.1", redis.port())) {
            jedis.flushAll();
        }
        assertOnlySuccesses(run(name, new RedisJedisClient(), properties("redis.port", String.valueOf(redis.port()))));
    }

    private static void assertOnlySuccesses(Map<String, Long> counts) {
        assertThat(counts.get("INSERT=OK")).as("inserts").isGreaterThanOrEqualTo(RECORDS);
        assertThat(counts.keySet()).allMatch(name -> name.endsWith("=OK"), "every status is OK");
        assertThat(counts.values().stream().mapToLong(Long::longValue).sum()).isGreaterThanOrEqualTo(RECORDS + OPERATIONS);
    }
}
