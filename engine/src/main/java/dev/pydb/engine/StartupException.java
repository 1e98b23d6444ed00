package dev.pydb.engine;

/**
 * The server cannot start: the message is one line for the operator (e.g. "another py_db server
 * is using /data"). The command line prints it without a stack trace and exits with 1.
 */
public class StartupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StartupException(String message) {
        super(message);
    }

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
