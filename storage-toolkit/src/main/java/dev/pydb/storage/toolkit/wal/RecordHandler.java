package dev.pydb.storage.toolkit.wal;

/** Receives the records of a replay or a verification, in sequence order. */
@FunctionalInterface
public interface RecordHandler {
    /**
     * Applies (replay) or checks (verification) one record.
     *
     * @throws CorruptRecordException if the payload is not a valid record of the backend: replay
     *     then refuses the start naming the file and offset, verification reports it
     */
    void accept(WalRecord record) throws CorruptRecordException;
}
