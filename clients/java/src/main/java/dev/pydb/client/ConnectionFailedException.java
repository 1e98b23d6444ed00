package dev.pydb.client;

/**
 * {@code CONNECTION_FAILED}: the connection could not be opened, or it broke before the request
 * was written, so the server never saw the request.
 */
public final class ConnectionFailedException extends PydbClientException {
    public ConnectionFailedException(String message, Throwable cause) {
        super(CONNECTION_FAILED, message, cause);
    }
}
