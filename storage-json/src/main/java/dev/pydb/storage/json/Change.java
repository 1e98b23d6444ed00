package dev.pydb.storage.json;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.storage.Document;

/** One effect of a committed batch, as the log records it: a document stored or a key removed. */
sealed interface Change {
    String key();

    /** The document now stored under its key. */
    record Store(Document document) implements Change {
        public Store {
            requireNonNull(document, "document is null");
        }

        @Override
        public String key() {
            return document.key();
        }
    }

    /** The key no longer holds a document. */
    record Remove(String key) implements Change {
        public Remove {
            requireNonNull(key, "key is null");
        }
    }
}
