package dev.pydb.bench;

import java.util.Locale;

/** The operations pydb-bench can send; each becomes a {@link RequestTemplate} with the key spliced in. */
enum Operation {
    GET, PUT, INSERT, FIND, BATCH;

    /** The operation named {@code name}, case-insensitive. */
    static Operation parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown operation '" + name + "' (expected GET, PUT, INSERT, FIND or BATCH)");
        }
    }
}
