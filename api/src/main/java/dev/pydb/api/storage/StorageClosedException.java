package dev.pydb.api.storage;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;

/** A {@link Storage} was used after {@link Storage#close()}. Maps to {@code UNAVAILABLE} on the wire. */
public class StorageClosedException extends PydbException {
    private static final long serialVersionUID = 1L;

    public StorageClosedException(String storageName) {
        super(ErrorCode.UNAVAILABLE, "storage '" + storageName + "' is closed");
    }
}
