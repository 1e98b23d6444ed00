package dev.pydb.client;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The server's {@code UNAUTHENTICATED} error: No, an invalid or an expired token, or a wrong username or password. */
public final class UnauthenticatedException extends PydbClientException {
    public UnauthenticatedException(ObjectNode error) {
        super(error);
    }
}
