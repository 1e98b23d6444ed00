package dev.pydb.client;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The server's {@code LIMIT_EXCEEDED} error: A key, document, batch or result over a configured limit, or the storage is full. */
public final class LimitExceededException extends PydbClientException {
    public LimitExceededException(ObjectNode error) {
        super(error);
    }
}
