package dev.pydb.storage.json;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * A document of a snapshot that failed its checksum: where it is, what is wrong, and the checksum
 * it was stored with (null if it had none), so that a checkpoint writes it back unchanged: it stays
 * damaged (answering {@code CORRUPTED}) until it is overwritten, deleted or restored, and is never
 * silently dropped.
 */
record DocumentDamage(Path file, long offset, String problem, String storedCrc) {
    DocumentDamage {
        requireNonNull(file, "file is null");
        requireNonNull(problem, "problem is null");
    }

    /** "&lt;file&gt; at offset &lt;n&gt;", for error messages. */
    String where() {
        return file + " at offset " + offset;
    }
}
