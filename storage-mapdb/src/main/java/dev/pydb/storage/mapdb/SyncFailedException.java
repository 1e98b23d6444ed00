package dev.pydb.storage.mapdb;

import java.io.IOException;

/**
 * An {@code fsync}/{@code fdatasync} of one of the backend's files failed. Unlike a failed write
 * (for lack of space: retryable), the page cache can no longer be trusted afterwards, so the
 * storage refuses writes until a restart recovers from its files (PostgreSQL's rule).
 */
final class SyncFailedException extends IOException {
    private static final long serialVersionUID = 1L;

    SyncFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
