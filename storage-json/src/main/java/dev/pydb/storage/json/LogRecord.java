package dev.pydb.storage.json;

import java.util.List;

/** One committed batch of one database: its sequence number (1, 2, … per database) and its changes in order. */
record LogRecord(long seq, List<Change> changes) {
    LogRecord {
        if (seq < 1) {
            throw new IllegalArgumentException("seq must be >= 1, was " + seq);
        }
        changes = List.copyOf(changes);
    }
}
