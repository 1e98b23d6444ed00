package dev.pydb.client;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The server's {@code UNKNOWN_ACTION} error: The server has no handler for the action. */
public final class UnknownActionException extends PydbClientException {
    public UnknownActionException(ObjectNode error) {
        super(error);
    }
}
