package dev.pydb.client;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The server's {@code DB_NOT_FOUND} error: The database does not exist. */
public final class DbNotFoundException extends PydbClientException {
    public DbNotFoundException(ObjectNode error) {
        super(error);
    }
}
