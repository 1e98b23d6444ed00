package dev.pydb.ycsb;

import static dev.pydb.ycsb.YcsbRecords.properties;
import static dev.pydb.ycsb.YcsbRecords.record;
import static dev.pydb.ycsb.YcsbRecords.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Vector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;

class RedisJedisClientTest {
    @TempDir
    static Path dir;

    private static RedisServer redis;

    private DB db;

    @BeforeAll
    static void startRedis() {
        assumeTrue(RedisServer.installed(), "redis-server is not installed at " + RedisServer.EXECUTABLE);
        redis = RedisServer.start(dir);
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @BeforeEach
    void open() throws DBException {
        try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
            jedis.flushAll();
        }
        db = new RedisJedisClient();
        db.setProperties(properties("redis.port", String.valueOf(redis.port())));
        db.init();
    }

    @AfterEach
    void close() throws DBException {
        db.cleanup();
    }

    private Map<String, String> read(String key, Set<String> fields) {
        Map<String, ByteIterator> result = new HashMap<>();
        assertThat(db.read("usertable", key, fields, result)).isEqualTo(Status.OK);
        return strings(result);
    }

    @Test
    void aRecordIsAHashIndexedInTheSortedSet() {
        assertThat(db.insert("usertable", "user1", record("field0", "a", "field1", "b"))).isEqualTo(Status.OK);

        try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
            assertThat(jedis.hgetAll("user1")).containsExactlyInAnyOrderEntriesOf(Map.of("field0", "a", "field1", "b"));
            assertThat(jedis.zscore(RedisJedisClient.INDEX_KEY, "user1")).isEqualTo((double) "user1".hashCode());
        }
        assertThat(read("user1", null)).containsExactlyInAnyOrderEntriesOf(Map.of("field0", "a", "field1", "b"));
        assertThat(read("user1", Set.of("field1", "field9"))).containsExactlyInAnyOrderEntriesOf(Map.of("field1", "b"));
    }

    @Test
    void updateSetsTheGivenFieldsAndDeleteRemovesRecordAndIndexEntry() {
        db.insert("usertable", "user1", record("field0", "a", "field1", "b"));

        assertThat(db.update("usertable", "user1", record("field1", "B"))).isEqualTo(Status.OK);
        assertThat(read("user1", null)).containsExactlyInAnyOrderEntriesOf(Map.of("field0", "a", "field1", "B"));

        assertThat(db.delete("usertable", "user1")).isEqualTo(Status.OK);
        assertThat(db.read("usertable", "user1", null, new HashMap<>())).isEqualTo(Status.NOT_FOUND);
        try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
            assertThat(jedis.zcard(RedisJedisClient.INDEX_KEY)).isZero();
        }
    }

    @Test
    void missingRecordsAreNotFound() {
        assertThat(db.read("usertable", "nobody", null, new HashMap<>())).isEqualTo(Status.NOT_FOUND);
        assertThat(db.read("usertable", "nobody", Set.of("field0"), new HashMap<>())).isEqualTo(Status.NOT_FOUND);
        assertThat(db.delete("usertable", "nobody")).isEqualTo(Status.NOT_FOUND);
    }

    @Test
    void scanWalksTheIndexInHashOrderFromTheStartKey() {
        List<String> keys = List.of("user1", "user2", "user3", "user4", "user5");
        keys.forEach(key -> db.insert("usertable", key, record("field0", key)));
        List<String> byHash = keys.stream().sorted(Comparator.comparingInt(String::hashCode)).toList();

        Vector<HashMap<String, ByteIterator>> result = new Vector<>();
        assertThat(db.scan("usertable", byHash.get(1), 3, Set.of("field0"), result)).isEqualTo(Status.OK);

        assertThat(result.stream().map(record -> strings(record).get("field0")).toList())
                .containsExactlyElementsOf(byHash.subList(1, 4));
    }

    @Test
    void failuresAreErrorsAndAnUnreachableServerFailsInit() throws DBException {
        try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
            jedis.set("plain", "not a hash");
        }
        assertThat(db.read("usertable", "plain", null, new HashMap<>())).isEqualTo(Status.ERROR);
        assertThat(db.update("usertable", "plain", record("field0", "a"))).isEqualTo(Status.ERROR);

        DB unreachable = new RedisJedisClient();
        unreachable.setProperties(properties("redis.port", "1"));
        assertThatThrownBy(unreachable::init).isInstanceOf(DBException.class).hasMessageContaining("cannot connect to Redis");
        DB badPort = new RedisJedisClient();
        badPort.setProperties(properties("redis.port", "six"));
        assertThatThrownBy(badPort::init).isInstanceOf(DBException.class).hasMessageContaining("redis.port");
    }
}
