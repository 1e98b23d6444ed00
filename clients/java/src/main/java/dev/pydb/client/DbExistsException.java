package dev.pydb.client;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The server's {@code DB_EXISTS} error: The database already exists. */
public final class DbExistsException extends PydbClientException {
    public DbExistsException(ObjectNode error) {
        super(error);
    }
}
