package dev.pydb.client;

import static java.util.Objects.requireNonNull;

/** A document removed by DELETE. */
public record Deleted(String key) implements WriteResult {
    public Deleted {
        requireNonNull(key, "key is null");
    }
}
