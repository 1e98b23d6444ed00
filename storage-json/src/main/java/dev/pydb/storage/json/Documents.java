package dev.pydb.storage.json;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;

/**
 * The documents of one database as readers see them, in {@link dev.pydb.api.storage.KeyOrder},
 * and the damaged ones among them: a damaged document is counted but never returned, its reads
 * answer {@code CORRUPTED} naming the file. Not thread-safe: {@link Database} guards it with its
 * lock; a snapshot holds a copy of its own.
 */
final class Documents {
    private final String database;
    private final NavigableMap<String, Document> documents;
    private final Map<String, DocumentDamage> damaged;

    Documents(String database, NavigableMap<String, Document> documents, Map<String, DocumentDamage> damaged) {
        this.database = requireNonNull(database, "database is null");
        this.documents = requireNonNull(documents, "documents is null");
        this.damaged = requireNonNull(damaged, "damaged is null");
    }

    NavigableMap<String, Document> all() {
        return documents;
    }

    Map<String, DocumentDamage> damaged() {
        return damaged;
    }

    Optional<Document> get(String key) {
        Document document = documents.get(key);
        if (document != null) {
            requireIntact(key);
        }
        return Optional.ofNullable(document);
    }

    List<Document> scan(String afterKey, int limit) {
        NavigableMap<String, Document> tail = afterKey == null ? documents : documents.tailMap(afterKey, false);
        List<Document> page = new ArrayList<>(Math.min(limit, 1024));
        for (Document document : tail.values()) {
            if (page.size() >= limit) {
                break;
            }
            requireIntact(document.key());
            page.add(document);
        }
        return List.copyOf(page);
    }

    long count() {
        return documents.size();
    }

    private void requireIntact(String key) {
        if (!damaged.isEmpty()) {
            DocumentDamage damage = damaged.get(key);
            if (damage != null) {
                throw PydbException.corrupted(database, key, damage.where() + ": " + damage.problem());
            }
        }
    }
}
