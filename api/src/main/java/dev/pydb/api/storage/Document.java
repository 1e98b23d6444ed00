package dev.pydb.api.storage;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A stored document: its key, its revision (1 on creation, +1 on every write) and its body,
 * the UTF-8 bytes of a JSON object. Storages treat the body as opaque bytes; the engine has
 * checked that it is a JSON object within the size limit before it reaches a storage.
 *
 * <p>The body array is not copied: neither side may modify it after handing it over.
 */
public record Document(String key, long rev, byte[] body) {
    public Document {
        requireNonNull(key, "key is null");
        requireNonNull(body, "body is null");
        if (rev < 1) {
            throw new IllegalArgumentException("rev must be >= 1, was " + rev);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Document d && d.rev == rev && d.key.equals(key) && Arrays.equals(d.body, body);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * key.hashCode() + Long.hashCode(rev)) + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "Document[key=" + key + ", rev=" + rev + ", body=" + new String(body, StandardCharsets.UTF_8) + "]";
    }
}
