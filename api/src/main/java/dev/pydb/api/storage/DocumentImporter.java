package dev.pydb.api.storage;

import java.util.List;

/**
 * Loads documents with the revisions they had ({@link Storage#importer()}), for restoring a
 * backup into an empty storage. The database must exist; every key must be absent
 * ({@code KEY_EXISTS} otherwise). Atomic and durable per call, like {@link Storage#write}.
 */
public interface DocumentImporter {
    void importDocuments(String db, List<Document> documents);
}
