package dev.pydb.client;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The server's {@code FORBIDDEN} error: The user's roles do not allow the action. */
public final class ForbiddenException extends PydbClientException {
    public ForbiddenException(ObjectNode error) {
        super(error);
    }
}
