package dev.pydb.api.action;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pydb.api.storage.Storage;
import java.util.Optional;

/**
 * Everything an {@link ActionHandler} may use while serving one request. Valid only during the
 * call to {@code handle}; do not keep it.
 */
public interface RequestContext {
    /** The open storage. */
    Storage storage();

    /** The authenticated caller; empty only for {@link Permission#NONE} actions called anonymously. */
    Optional<Principal> principal();

    /**
     * The request's validated {@code db} field. Set for {@link Permission#READ} and
     * {@link Permission#WRITE} actions; otherwise throws {@code IllegalStateException}.
     */
    String database();

    /** The server's shared, configured mapper (with its read constraints); thread-safe. */
    ObjectMapper json();

    /** The configured limits. */
    Limits limits();

    /** The client's address, e.g. {@code 127.0.0.1:51234}, for logs. */
    String remoteAddress();

    /**
     * A server service by type, for the engine's own actions (authentication, statistics) and for
     * services that plugins publish; empty if none is registered.
     */
    <T> Optional<T> service(Class<T> type);
}
