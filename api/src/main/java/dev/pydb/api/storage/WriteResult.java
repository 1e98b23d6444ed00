package dev.pydb.api.storage;

import static java.util.Objects.requireNonNull;

/** What one {@link WriteOp} did: the document's new revision, or {@code deleted} with rev 0. */
public record WriteResult(String key, long rev, boolean deleted) {
    public WriteResult {
        requireNonNull(key, "key is null");
    }

    public static WriteResult written(String key, long rev) {
        return new WriteResult(key, rev, false);
    }

    public static WriteResult deleted(String key) {
        return new WriteResult(key, 0, true);
    }
}
