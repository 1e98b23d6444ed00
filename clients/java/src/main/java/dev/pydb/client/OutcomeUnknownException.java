package dev.pydb.client;

/**
 * {@code OUTCOME_UNKNOWN}: the connection broke after the request was sent and before its
 * response arrived. A write may or may not have been applied, so it is never retried silently.
 */
public final class OutcomeUnknownException extends PydbClientException {
    public OutcomeUnknownException(String message, Throwable cause) {
        super(OUTCOME_UNKNOWN, message, cause);
    }
}
