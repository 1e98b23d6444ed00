package dev.pydb.storage.mapdb;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.api.storage.WriteResult;
import dev.pydb.storage.toolkit.codec.StoredValueCodec.Decoded;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The {@link Mutation} of one {@link Storage#write} call: {@link #prepare()} runs every operation
 * against the current state plus the batch's own earlier operations, collecting the final value
 * of each touched key, and throws on the first failing operation (with its {@code index}) before
 * anything is written; the returned supplier then writes the collected values and the new count.
 */
final class WriteBatch implements Mutation<List<WriteResult>> {
    private final MapdbStore store;
    private final String db;
    private final List<WriteOp> ops;

    WriteBatch(MapdbStore store, String db, List<WriteOp> ops) {
        this.store = requireNonNull(store, "store is null");
        this.db = requireNonNull(db, "db is null");
        this.ops = List.copyOf(requireNonNull(ops, "ops is null"));
    }

    @Override
    public Supplier<List<WriteResult>> prepare() {
        long count = store.count(db);
        if (count < 0) {
            throw PydbException.dbNotFound(db);
        }
        Map<String, Decoded> original = new HashMap<>();
        Map<String, Decoded> pending = new LinkedHashMap<>();
        List<WriteResult> results = new ArrayList<>(ops.size());
        for (int index = 0; index < ops.size(); index++) {
            WriteOp op = ops.get(index);
            String key = op.key();
            try {
                Decoded current = pending.containsKey(key) ? pending.get(key) : original.computeIfAbsent(key, k -> store.rawGet(db, k));
                Decoded next = apply(op, current);
                pending.put(key, next);
                long rev = next == null ? 0 : next.rev();
                results.add(next == null ? WriteResult.deleted(key) : WriteResult.written(key, rev));
            } catch (PydbException e) {
                throw e.withDetail("index", index);
            }
        }
        long newCount = count;
        for (Map.Entry<String, Decoded> entry : pending.entrySet()) {
            boolean existed = original.get(entry.getKey()) != null;
            boolean exists = entry.getValue() != null;
            newCount += (exists ? 1 : 0) - (existed ? 1 : 0);
        }
        long finalCount = newCount;
        List<WriteResult> finalResults = List.copyOf(results);
        return () -> {
            pending.forEach((key, value) -> {
                if (value == null) {
                    store.rawRemove(db, key);
                } else {
                    store.rawPut(db, key, value.rev(), value.body());
                }
            });
            store.setCount(db, finalCount);
            return finalResults;
        };
    }

    /** The value after {@code op}, or null if it deletes; throws if the op fails. */
    private Decoded apply(WriteOp op, Decoded current) {
        long currentRev = current == null ? 0 : current.rev();
        return switch (op) {
            case WriteOp.Put put -> {
                checkRev(put.key(), put.expectedRev(), currentRev);
                yield new Decoded(currentRev + 1, put.body());
            }
            case WriteOp.Insert insert -> {
                if (current != null) {
                    throw PydbException.keyExists(db, insert.key());
                }
                yield new Decoded(1, insert.body());
            }
            case WriteOp.Update update -> {
                if (current == null) {
                    throw PydbException.notFound(db, update.key());
                }
                checkRev(update.key(), update.expectedRev(), currentRev);
                byte[] body = requireNonNull(update.change().apply(current.body().clone()), "update returned null");
                yield new Decoded(currentRev + 1, body);
            }
            case WriteOp.Delete delete -> {
                if (current == null) {
                    throw PydbException.notFound(db, delete.key());
                }
                checkRev(delete.key(), delete.expectedRev(), currentRev);
                yield null;
            }
        };
    }

    private void checkRev(String key, long expectedRev, long currentRev) {
        if (expectedRev != Storage.ANY_REVISION && expectedRev != currentRev) {
            throw PydbException.conflict(db, key, expectedRev, currentRev);
        }
    }
}
