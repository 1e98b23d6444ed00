package dev.pydb.ycsb;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.Vector;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.Status;

/** A DB that passes every operation to another and counts the results by operation and status. */
final class StatusCountingDb extends DB {
    private final DB delegate;
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    StatusCountingDb(DB delegate) {
        this.delegate = requireNonNull(delegate, "delegate is null");
    }

    private Status count(String operation, Status status) {
        counts.computeIfAbsent(operation + "=" + status.getName(), name -> new LongAdder()).increment();
        return status;
    }

    /** The counts as {@code "READ=OK" -> 12}. */
    Map<String, Long> counts() {
        Map<String, Long> snapshot = new HashMap<>();
        counts.forEach((name, count) -> snapshot.put(name, count.sum()));
        return Map.copyOf(snapshot);
    }

    @Override
    public Status read(String table, String key, Set<String> fields, Map<String, ByteIterator> result) {
        return count("READ", delegate.read(table, key, fields, result));
    }

    @Override
    public Status scan(String table, String startkey, int recordcount, Set<String> fields,
            Vector<HashMap<String, ByteIterator>> result) {
        return count("SCAN", delegate.scan(table, startkey, recordcount, fields, result));
    }

    @Override
    public Status update(String table, String key, Map<String, ByteIterator> values) {
        return count("UPDATE", delegate.update(table, key, values));
    }

    @Override
    public Status insert(String table, String key, Map<String, ByteIterator> values) {
        return count("INSERT", delegate.insert(table, key, values));
    }

    @Override
    public Status delete(String table, String key) {
        return count("DELETE", delegate.delete(table, key));
    }
}
