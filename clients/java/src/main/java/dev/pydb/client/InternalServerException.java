package dev.pydb.client;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The server's {@code INTERNAL} error: An unexpected failure on the server; {@link #incident()} names its log entry. */
public final class InternalServerException extends PydbClientException {
    public InternalServerException(ObjectNode error) {
        super(error);
    }
}
