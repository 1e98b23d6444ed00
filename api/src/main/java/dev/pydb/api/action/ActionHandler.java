package dev.pydb.api.action;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One protocol action, found with {@link java.util.ServiceLoader} (list the class in
 * {@code META-INF/services/dev.pydb.api.action.ActionHandler}). The engine's built-in actions are
 * registered the same way; two handlers for one action name fail the start.
 *
 * <p>Before {@link #handle} is called the engine has authenticated the caller and checked
 * {@link #permission()}; for {@link Permission#READ} and {@link Permission#WRITE} it has read and
 * validated the request's {@code db} field, available as {@link RequestContext#database()}.
 */
public interface ActionHandler {
    /** The action name, upper case, e.g. {@code "INCR"}. Requests match it case-insensitively. */
    String action();

    /** What the caller needs. */
    Permission permission();

    /**
     * Serves one request and returns the {@code result} of the response (any JSON value).
     * Failures are {@link dev.pydb.api.PydbException}s with the protocol's codes; anything else
     * becomes {@code INTERNAL} with a logged incident id.
     *
     * @param context the caller, the storage and shared services
     * @param request the whole request body, including {@code action}, {@code id} and {@code auth}
     */
    JsonNode handle(RequestContext context, ObjectNode request);

    /**
     * Releases what the handler holds (threads, files, connections). Called once when the server
     * stops, after the last request has been answered and before the storage is closed; also when
     * the start fails after the handler was created. Exceptions are logged and ignored.
     */
    default void close() {}
}
