package dev.pydb.api;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one unchecked exception of py_db: it carries an {@link ErrorCode} and a message meant
 * for the client. Extra fields of the wire error object (for example {@code index} of a
 * failing batch operation) travel in {@link #details()}.
 *
 * <p>Messages are sent to clients: never put a password, a token or a stack trace in one.
 */
public class PydbException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final Map<String, Object> details;

    public PydbException(ErrorCode code, String message) {
        this(code, message, null, Map.of());
    }

    public PydbException(ErrorCode code, String message, Throwable cause) {
        this(code, message, cause, Map.of());
    }

    private PydbException(ErrorCode code, String message, Throwable cause, Map<String, Object> details) {
        super(requireNonNull(message, "message is null"), cause);
        this.code = requireNonNull(code, "code is null");
        this.details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    public ErrorCode code() {
        return code;
    }

    /** Extra fields for the wire error object, in insertion order; never {@code code} or {@code message}. */
    public Map<String, Object> details() {
        return details;
    }

    /** A copy of this exception with one more detail field (e.g. {@code withDetail("index", 3)}). */
    public PydbException withDetail(String name, Object value) {
        requireNonNull(name, "name is null");
        if (name.equals("code") || name.equals("message")) {
            throw new IllegalArgumentException("'" + name + "' is not a detail field");
        }
        Map<String, Object> copy = new LinkedHashMap<>(details);
        copy.put(name, value);
        PydbException result = new PydbException(code, getMessage(), getCause(), copy);
        result.setStackTrace(getStackTrace());
        return result;
    }

    @Override
    public String toString() {
        return "PydbException[" + code + "]: " + getMessage();
    }

    public static PydbException badRequest(String message) {
        return new PydbException(ErrorCode.BAD_REQUEST, message);
    }

    public static PydbException dbNotFound(String db) {
        return new PydbException(ErrorCode.DB_NOT_FOUND, "database '" + db + "' not found");
    }

    public static PydbException dbExists(String db) {
        return new PydbException(ErrorCode.DB_EXISTS, "database '" + db + "' already exists");
    }

    public static PydbException notFound(String db, String key) {
        return new PydbException(ErrorCode.NOT_FOUND, "key '" + key + "' not found in '" + db + "'");
    }

    public static PydbException keyExists(String db, String key) {
        return new PydbException(ErrorCode.KEY_EXISTS, "key '" + key + "' already exists in '" + db + "'");
    }

    /** A stored record that failed its checksum; {@code where} names the file (and offset) for the log. */
    public static PydbException corrupted(String db, String key, String where) {
        return new PydbException(ErrorCode.CORRUPTED, "stored document '" + key + "' in '" + db
                + "' is damaged (checksum mismatch in " + where + "); restore it from a backup");
    }

    public static PydbException unsupported(String feature, String storageName) {
        return new PydbException(ErrorCode.UNSUPPORTED, "storage '" + storageName + "' does not support " + feature);
    }

    public static PydbException conflict(String db, String key, long expected, long actual) {
        return new PydbException(ErrorCode.CONFLICT, "key '" + key + "' in '" + db + "' is at rev " + actual
                + ", not " + expected);
    }
}
