package dev.pydb.client;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The server's {@code NOT_FOUND} error: The document does not exist. */
public final class NotFoundException extends PydbClientException {
    public NotFoundException(ObjectNode error) {
        super(error);
    }
}
