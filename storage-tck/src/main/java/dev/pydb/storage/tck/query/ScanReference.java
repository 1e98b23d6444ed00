package dev.pydb.storage.tck.query;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.query.Filter;
import dev.pydb.api.query.Query;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The engine's own evaluation of a FIND or COUNT, which a storage that answers them itself must
 * match exactly: {@link Storage#scan} in key order and {@link Filter#matches} on each document.
 * For FIND: at most {@code limit} matches after {@code after}, and {@code next} = the last returned
 * key when {@code limit} matches were found and any document follows it (the engine's scan loop).
 */
public final class ScanReference {
    private static final int CHUNK = 256;

    private ScanReference() {}

    /** The page the engine's scan returns. */
    public static Page find(Storage storage, String db, Query query) {
        requireNonNull(storage, "storage is null");
        requireNonNull(query, "query is null");
        List<Document> matches = new ArrayList<>();
        String cursor = query.after();
        boolean moreMayFollow = false;
        scan:
        while (true) {
            List<Document> batch = storage.scan(db, cursor, CHUNK);
            for (Document document : batch) {
                if (matches.size() == query.limit()) {
                    moreMayFollow = true;
                    break scan;
                }
                if (matches(query.filter(), document)) {
                    matches.add(document);
                }
                cursor = document.key();
            }
            if (batch.size() < CHUNK) {
                break;
            }
        }
        return new Page(List.copyOf(matches), moreMayFollow ? matches.get(matches.size() - 1).key() : null);
    }

    /** The number of documents the filter matches. */
    public static long count(Storage storage, String db, Filter filter) {
        long count = 0;
        String cursor = null;
        while (true) {
            List<Document> batch = storage.scan(db, cursor, CHUNK);
            for (Document document : batch) {
                if (matches(filter, document)) {
                    count++;
                }
                cursor = document.key();
            }
            if (batch.size() < CHUNK) {
                return count;
            }
        }
    }

    private static boolean matches(Filter filter, Document document) {
        try {
            return filter.matches(RandomQueries.MAPPER.readTree(document.body()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A page: the documents and {@code next}. */
    public record Page(List<Document> documents, String next) {}
}
