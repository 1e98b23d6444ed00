package dev.pydb.api.action;

/** The configured limits actions must honour. */
public interface Limits {
    /** Maximum size of a stored document, in bytes of UTF-8 JSON (default 1 MiB). */
    int maxDocumentBytes();

    /** Maximum number of operations in one BATCH. */
    int maxBatchOps();

    /** Maximum {@code limit} of one FIND page (10 000). */
    int maxFindLimit();

    /** Default {@code limit} of a FIND page (100). */
    int defaultFindLimit();
}
