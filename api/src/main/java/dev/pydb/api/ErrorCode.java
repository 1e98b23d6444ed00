package dev.pydb.api;

/**
 * The error codes of the py_db wire protocol. They are protocol: clients switch on
 * {@link #name()}, so a code is never renamed or reused. Messages are for people.
 */
public enum ErrorCode {
    /** The frame header is malformed; the connection is closed after the reply. */
    BAD_FRAME(true),
    /** The declared body length is over the configured limit; the connection is closed. */
    FRAME_TOO_LARGE(true),
    /** The body is not valid JSON or not a JSON object; the connection stays open. */
    BAD_JSON(false),
    /** A field is missing, has the wrong type, or holds an invalid name. */
    BAD_REQUEST(false),
    /** No handler is registered for the action. */
    UNKNOWN_ACTION(false),
    /** No, invalid or expired token, or a wrong username or password. */
    UNAUTHENTICATED(false),
    /** Authenticated, but the user's roles do not allow the action. */
    FORBIDDEN(false),
    /** The database does not exist. */
    DB_NOT_FOUND(false),
    /** The database already exists. */
    DB_EXISTS(false),
    /** The document does not exist. */
    NOT_FOUND(false),
    /** A document with that key already exists. */
    KEY_EXISTS(false),
    /** The expected revision does not match the stored one. */
    CONFLICT(false),
    /** A key, document, batch or result is over a configured limit, or the storage is full. */
    LIMIT_EXCEEDED(false),
    /** The server is shutting down or the storage is failing; safe to retry. */
    UNAVAILABLE(false),
    /** An unexpected failure, logged server-side under the incident id the error carries. */
    INTERNAL(false),
    /**
     * Stored data failed its checksum or could not be decoded; it is never returned as data. The
     * server log names the file, database and key; the rest of the store keeps working.
     */
    CORRUPTED(false),
    /** The storage backend does not offer the feature the request needs (e.g. secondary indexes). */
    UNSUPPORTED(false),
    /** A unique index already holds the value for another document (details: {@code field}, {@code value}). */
    UNIQUE_VIOLATION(false);

    private final boolean closesConnection;

    ErrorCode(boolean closesConnection) {
        this.closesConnection = closesConnection;
    }

    /** Whether the server closes the connection after sending this error (framing is lost). */
    public boolean closesConnection() {
        return closesConnection;
    }
}
