package dev.pydb.client;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The server's {@code CONFLICT} error: The given {@code rev} does not match the stored revision. */
public final class ConflictException extends PydbClientException {
    public ConflictException(ObjectNode error) {
        super(error);
    }
}
