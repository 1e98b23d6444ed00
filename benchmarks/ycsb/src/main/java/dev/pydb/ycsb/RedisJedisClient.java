package dev.pydb.ycsb;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.Vector;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;
import site.ycsb.StringByteIterator;

/**
 * A YCSB binding for Redis over Jedis, with the layout of YCSB's own Redis binding: one hash per
 * record (its fields are the record's fields) and a sorted set {@value #INDEX_KEY} holding every
 * record key, scored by the key's {@link String#hashCode()}, which scan walks from the start
 * key's score (so scans are in hash order, not key order, exactly as in YCSB's binding).
 * One connection per YCSB thread. update writes the given fields whether or not the record
 * exists (HSET), as YCSB's binding does; a missing record on read or delete is
 * {@link Status#NOT_FOUND}, a Redis or connection failure {@link Status#ERROR}.
 *
 * <p>Properties: {@code redis.host} (default {@code 127.0.0.1}), {@code redis.port} (default 6379),
 * {@code redis.password} (optional, AUTH).
 */
public final class RedisJedisClient extends DB {
    public static final String HOST = "redis.host";
    public static final String PORT = "redis.port";
    public static final String PASSWORD = "redis.password";
    /** The sorted set of all record keys. */
    public static final String INDEX_KEY = "_indices";

    private final FailureLog failures = new FailureLog(RedisJedisClient.class);
    private Jedis jedis;

    @Override
    public void init() throws DBException {
        Properties properties = getProperties();
        String host = properties.getProperty(HOST, "127.0.0.1");
        String portValue = properties.getProperty(PORT, "6379");
        int port;
        try {
            port = Integer.parseInt(portValue.trim());
        } catch (NumberFormatException e) {
            throw new DBException("property " + PORT + " must be an integer, got '" + portValue + "'");
        }
        try {
            jedis = new Jedis(host, port);
            String password = properties.getProperty(PASSWORD);
            if (password != null) {
                jedis.auth(password);
            }
            jedis.ping();
        } catch (JedisException e) {
            closeQuietly();
            throw new DBException("cannot connect to Redis at " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void cleanup() throws DBException {
        closeQuietly();
    }

    private void closeQuietly() {
        if (jedis != null) {
            try {
                jedis.close();
            } catch (JedisException e) {
                // closing a broken connection
            }
            jedis = null;
        }
    }

    private static double score(String key) {
        return key.hashCode();
    }

    @Override
    public Status read(String table, String key, Set<String> fields, Map<String, ByteIterator> result) {
        try {
            return readInto(key, fields, result) ? Status.OK : Status.NOT_FOUND;
        } catch (RuntimeException e) {
            return failures.error("read", key, e);
        }
    }

    /** Reads a record's fields (all if {@code fields} is null); false if the record does not exist. */
    private boolean readInto(String key, Set<String> fields, Map<String, ByteIterator> result) {
        if (fields == null) {
            Map<String, String> all = jedis.hgetAll(key);
            StringByteIterator.putAllAsByteIterators(result, all);
            return !all.isEmpty();
        }
        String[] names = fields.toArray(String[]::new);
        List<String> values = jedis.hmget(key, names);
        boolean found = false;
        Iterator<String> value = values.iterator();
        for (String name : names) {
            String text = value.next();
            if (text != null) {
                result.put(name, new StringByteIterator(text));
                found = true;
            }
        }
        return found;
    }

    @Override
    public Status insert(String table, String key, Map<String, ByteIterator> values) {
        try {
            jedis.hset(key, StringByteIterator.getStringMap(values));
            jedis.zadd(INDEX_KEY, score(key), key);
            return Status.OK;
        } catch (RuntimeException e) {
            return failures.error("insert", key, e);
        }
    }

    @Override
    public Status delete(String table, String key) {
        try {
            long deleted = jedis.del(key);
            long unindexed = jedis.zrem(INDEX_KEY, key);
            return deleted == 0 && unindexed == 0 ? Status.NOT_FOUND : Status.OK;
        } catch (RuntimeException e) {
            return failures.error("delete", key, e);
        }
    }

    @Override
    public Status update(String table, String key, Map<String, ByteIterator> values) {
        try {
            jedis.hset(key, StringByteIterator.getStringMap(values));
            return Status.OK;
        } catch (RuntimeException e) {
            return failures.error("update", key, e);
        }
    }

    @Override
    public Status scan(String table, String startkey, int recordcount, Set<String> fields,
            Vector<HashMap<String, ByteIterator>> result) {
        try {
            List<String> keys = jedis.zrangeByScore(INDEX_KEY, score(startkey), Double.POSITIVE_INFINITY, 0, recordcount);
            for (String key : keys) {
                HashMap<String, ByteIterator> record = new HashMap<>();
                readInto(key, fields, record);
                result.add(record);
            }
            return Status.OK;
        } catch (RuntimeException e) {
            return failures.error("scan", startkey, e);
        }
    }
}
