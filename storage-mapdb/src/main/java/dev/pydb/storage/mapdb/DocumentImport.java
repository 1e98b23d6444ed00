package dev.pydb.storage.mapdb;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The {@link Mutation} of one {@link dev.pydb.api.storage.DocumentImporter#importDocuments} call:
 * every key must be absent (and appear once), else {@code KEY_EXISTS} with the document's
 * {@code index} and nothing is written; then the documents are stored with their revisions, in one
 * group commit like a write.
 */
final class DocumentImport implements Mutation<Void> {
    private final MapdbStore store;
    private final String db;
    private final List<Document> documents;

    DocumentImport(MapdbStore store, String db, List<Document> documents) {
        this.store = requireNonNull(store, "store is null");
        this.db = requireNonNull(db, "db is null");
        this.documents = List.copyOf(requireNonNull(documents, "documents is null"));
    }

    @Override
    public Supplier<Void> prepare() {
        long count = store.count(db);
        if (count < 0) {
            throw PydbException.dbNotFound(db);
        }
        Set<String> keys = new HashSet<>();
        for (int index = 0; index < documents.size(); index++) {
            Document document = documents.get(index);
            try {
                if (!keys.add(document.key()) || store.containsKey(db, document.key())) {
                    throw PydbException.keyExists(db, document.key());
                }
                if (document.rev() < 1) {
                    throw PydbException.badRequest("document '" + document.key() + "' has revision " + document.rev()
                            + "; imported revisions are at least 1");
                }
            } catch (PydbException e) {
                throw e.withDetail("index", index);
            }
        }
        long finalCount = count + documents.size();
        return () -> {
            for (Document document : documents) {
                store.rawPut(db, document.key(), document.rev(), document.body());
            }
            store.setCount(db, finalCount);
            return null;
        };
    }
}
