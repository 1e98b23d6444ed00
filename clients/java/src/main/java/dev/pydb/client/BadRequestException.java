package dev.pydb.client;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The server's {@code BAD_REQUEST} error: A missing or invalid field, an invalid name or a malformed filter. */
public final class BadRequestException extends PydbClientException {
    public BadRequestException(ObjectNode error) {
        super(error);
    }
}
