package dev.pydb.client;

import static java.util.Objects.requireNonNull;

/** A document written by INSERT, PUT or UPDATE: its key and new revision. */
public record Written(String key, long rev) implements WriteResult {
    public Written {
        requireNonNull(key, "key is null");
    }
}
