package dev.pydb.storage.json;

import dev.pydb.api.storage.Document;
import java.util.Map;

/** One batch of a 0.1.0 {@code log.jsonl}: its sequence number (per database) and each key's new document (null: removed). */
record LogRecord(long seq, Map<String, Document> changes) {
    LogRecord {
        if (seq < 1) {
            throw new IllegalArgumentException("seq must be >= 1, was " + seq);
        }
    }
}
