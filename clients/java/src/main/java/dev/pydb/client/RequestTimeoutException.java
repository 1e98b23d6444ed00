package dev.pydb.client;

/**
 * {@code TIMEOUT}: no response within the request timeout. The request may or may not have been
 * applied; the connection it used is discarded (responses are ordered, so it cannot be reused).
 */
public final class RequestTimeoutException extends PydbClientException {
    public RequestTimeoutException(String message) {
        super(TIMEOUT, message);
    }
}
