package dev.pydb.engine.metrics;

/** What {@code GET /health} answers: 200 while {@link #SERVING}, 503 otherwise. */
public enum Health {
    /** Plugins load, the storage opens (replaying its log, say), the transport binds. */
    STARTING,
    /** The transport listens and requests are served. */
    SERVING,
    /** The server stops: no new connections, in-flight requests finish, the storage closes. */
    STOPPING
}
