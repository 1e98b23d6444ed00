package dev.pydb.client;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The server's {@code UNAVAILABLE} error: The server is shutting down or its storage is failing; safe to retry. */
public final class UnavailableException extends PydbClientException {
    public UnavailableException(ObjectNode error) {
        super(error);
    }
}
