package dev.pydb.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A failed py_db request. {@link #code()} is the server's stable error code (e.g.
 * {@code NOT_FOUND}) or, for failures on the client's side, one of {@link #CONNECTION_FAILED},
 * {@link #TIMEOUT}, {@link #OUTCOME_UNKNOWN} and {@link #INTERRUPTED}. Subclasses name the common codes so callers can
 * catch them; {@link ServerErrors#of} picks the subclass for a server error.
 */
public class PydbClientException extends RuntimeException {
    /** The connection could not be opened or broke before the request was sent: nothing was applied. */
    public static final String CONNECTION_FAILED = "CONNECTION_FAILED";
    /** No response within the request timeout; the request may or may not have been applied. */
    public static final String TIMEOUT = "TIMEOUT";
    /** The connection broke after the request was sent; it may or may not have been applied. */
    public static final String OUTCOME_UNKNOWN = "OUTCOME_UNKNOWN";
    /** The calling thread was interrupted while it waited for the response. */
    public static final String INTERRUPTED = "INTERRUPTED";
    private static final Set<String> CLIENT_SIDE_CODES = Set.of(CONNECTION_FAILED, TIMEOUT, OUTCOME_UNKNOWN, INTERRUPTED);

    private final String code;
    private final ObjectNode error;

    /** A failure with this code and message and no further error fields. */
    public PydbClientException(String code, String message) {
        this(code, message, null);
    }

    public PydbClientException(String code, String message, Throwable cause) {
        super(requireNonNull(message, "message is null"), cause);
        this.code = requireNonNull(code, "code is null");
        this.error = JsonNodeFactory.instance.objectNode().put("code", code).put("message", message);
    }

    /** A server error: {@code error} is the response's {@code error} object (code, message, extra fields). */
    public PydbClientException(ObjectNode error) {
        super(requireNonNull(error, "error is null").path("message").asText("(no message)"));
        this.code = error.path("code").asText("INTERNAL");
        this.error = error.deepCopy();
    }

    /** The error code: a server code or one of the client-side codes of this class. */
    public String code() {
        return code;
    }

    /** Whether the server answered with this error (false for connection failures, timeouts and interrupts). */
    public boolean fromServer() {
        return !CLIENT_SIDE_CODES.contains(code);
    }

    /** The whole {@code error} object, including extra fields such as {@code index} or {@code incident}. */
    public ObjectNode error() {
        return error.deepCopy();
    }

    /** The 0-based position of the failing operation of a BATCH, if the server named one. */
    public OptionalInt index() {
        JsonNode index = error.get("index");
        return index != null && index.canConvertToInt() ? OptionalInt.of(index.intValue()) : OptionalInt.empty();
    }

    /** The incident id of an {@code INTERNAL} error, to find it in the server's log. */
    public Optional<String> incident() {
        JsonNode incident = error.get("incident");
        return incident != null && incident.isTextual() ? Optional.of(incident.asText()) : Optional.empty();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + ": " + code + ": " + getMessage();
    }
}
