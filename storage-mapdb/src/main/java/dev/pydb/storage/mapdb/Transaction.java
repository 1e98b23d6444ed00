package dev.pydb.storage.mapdb;

/** The one open transaction of a store: what the {@link GroupCommitter} ends after each group. */
interface Transaction {
    /**
     * Throws (a {@link dev.pydb.api.PydbException}) when writes are refused, e.g. after a failed
     * fsync until a restart; called before a group is applied.
     */
    default void checkWritable() {}

    /**
     * Makes everything applied since the last commit durable. A {@link dev.pydb.api.PydbException}
     * is the answer for every caller of the group (e.g. {@code LIMIT_EXCEEDED} for a full disk).
     */
    void commit();

    /** Discards everything applied since the last commit. */
    void rollback();
}
