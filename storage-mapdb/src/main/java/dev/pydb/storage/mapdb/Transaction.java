package dev.pydb.storage.mapdb;

/** The one open transaction of a store: what the {@link GroupCommitter} ends after each group. */
interface Transaction {
    /** Makes everything applied since the last commit durable. */
    void commit();

    /** Discards everything applied since the last commit. */
    void rollback();
}
