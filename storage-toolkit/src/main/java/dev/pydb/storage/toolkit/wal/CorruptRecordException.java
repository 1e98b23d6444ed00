package dev.pydb.storage.toolkit.wal;

/**
 * A record whose checksum is right but whose payload the backend cannot read: never the result of
 * a torn write, so replay refuses the start.
 */
public final class CorruptRecordException extends Exception {
    private static final long serialVersionUID = 1L;

    public CorruptRecordException(String message) {
        super(message);
    }
}
