package dev.pydb.engine.stats;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Which node this server is, for STATS' {@code node}: {@code host:port} as it listens, so that with
 * many nodes on one storage a client can tell which one answered. Set once, when the transport
 * listens (the port may be ephemeral before that). Thread-safe.
 */
public final class NodeAddress {
    private final AtomicReference<String> address = new AtomicReference<>("(starting)");

    /** Records the listening address; called once at start. */
    public void listening(String host, int port) {
        requireNonNull(host, "host is null");
        address.set(host + ":" + port);
    }

    /** {@code host:port}, or {@code (starting)} before the transport listens. */
    public String get() {
        return address.get();
    }
}
