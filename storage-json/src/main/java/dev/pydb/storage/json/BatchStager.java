package dev.pydb.storage.json;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.api.storage.WriteResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a batch against a database's current state (pending changes included; see
 * {@link Database#current}) and works out its results and the new document of each key it
 * touches. Each operation sees the earlier ones of its batch. A damaged document ({@code CORRUPTED})
 * can only be replaced by a {@code PUT} or removed by a {@code DELETE} without an expected
 * revision; anything that needs its content or revision fails. Runs under the log's sequencer lock.
 */
final class BatchStager {
    private BatchStager() {}

    /** A checked batch: one result per operation, and each touched key's new document (null: removed) in first-touch order. */
    record Staged<T>(T results, Map<String, Document> changes) {}

    static Staged<List<WriteResult>> stageWrite(Database database, List<WriteOp> ops) {
        String db = database.name();
        Map<String, Document> changes = new LinkedHashMap<>();
        List<WriteResult> results = new ArrayList<>(ops.size());
        for (int i = 0; i < ops.size(); i++) {
            WriteOp op = ops.get(i);
            String key = op.key();
            try {
                Database.Current current = changes.containsKey(key) ? new Database.Current(changes.get(key), null)
                        : database.current(key);
                Document next = next(db, op, current);
                changes.put(key, next);
                results.add(next == null ? WriteResult.deleted(key) : WriteResult.written(key, next.rev()));
            } catch (PydbException e) {
                throw e.withDetail("index", i);
            }
        }
        return new Staged<>(List.copyOf(results), changes);
    }

    /** Documents with their revisions into keys that must all be absent ({@code KEY_EXISTS} otherwise). */
    static Staged<Void> stageImport(Database database, List<Document> documents) {
        Map<String, Document> changes = new LinkedHashMap<>();
        for (int i = 0; i < documents.size(); i++) {
            Document document = documents.get(i);
            if (changes.containsKey(document.key()) || database.current(document.key()).document() != null) {
                throw PydbException.keyExists(database.name(), document.key()).withDetail("index", i);
            }
            changes.put(document.key(), document);
        }
        return new Staged<>(null, changes);
    }

    private static Document next(String db, WriteOp op, Database.Current current) {
        Document document = current.document();
        String key = op.key();
        if (current.damage() != null) {
            return overwriteDamaged(db, op, current);
        }
        return switch (op) {
            case WriteOp.Put put -> {
                checkRevision(db, key, document, put.expectedRev());
                yield new Document(key, document == null ? 1 : document.rev() + 1, put.body());
            }
            case WriteOp.Insert insert -> {
                if (document != null) {
                    throw PydbException.keyExists(db, key);
                }
                yield new Document(key, 1, insert.body());
            }
            case WriteOp.Update update -> {
                if (document == null) {
                    throw PydbException.notFound(db, key);
                }
                checkRevision(db, key, document, update.expectedRev());
                byte[] changed = requireNonNull(update.change().apply(document.body()), "the update function returned null");
                yield new Document(key, document.rev() + 1, Json.normalize(changed));
            }
            case WriteOp.Delete delete -> {
                if (document == null) {
                    throw PydbException.notFound(db, key);
                }
                checkRevision(db, key, document, delete.expectedRev());
                yield null;
            }
        };
    }

    /** A damaged document: only an unconditional PUT (a new revision after the stored one) or DELETE replaces it. */
    private static Document overwriteDamaged(String db, WriteOp op, Database.Current current) {
        DocumentDamage damage = current.damage();
        if (op instanceof WriteOp.Put put && put.expectedRev() == Storage.ANY_REVISION) {
            return new Document(op.key(), Math.max(1, current.document().rev() + 1), put.body());
        }
        if (op instanceof WriteOp.Delete delete && delete.expectedRev() == Storage.ANY_REVISION) {
            return null;
        }
        throw PydbException.corrupted(db, op.key(), damage.where() + ": " + damage.problem());
    }

    private static void checkRevision(String db, String key, Document current, long expectedRev) {
        if (expectedRev == Storage.ANY_REVISION) {
            return;
        }
        if (current == null) {
            if (expectedRev != 0) {
                throw new PydbException(ErrorCode.CONFLICT, "key '" + key + "' in '" + db + "' does not exist, not at rev "
                        + expectedRev);
            }
        } else if (current.rev() != expectedRev) {
            throw PydbException.conflict(db, key, expectedRev, current.rev());
        }
    }
}
