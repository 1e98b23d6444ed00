package dev.pydb.client;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The server's {@code KEY_EXISTS} error: INSERT of a key that is taken. */
public final class KeyExistsException extends PydbClientException {
    public KeyExistsException(ObjectNode error) {
        super(error);
    }
}
