package dev.pydb.ycsb;

import static java.util.Objects.requireNonNull;

import dev.pydb.client.PydbClient;
import dev.pydb.client.PydbClientConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The pooled {@link PydbClient}s of one JVM, one per configuration, shared by reference count:
 * YCSB creates one DB instance per thread, and they all share one client (and its connection pool).
 * The last {@link #release} of a configuration closes its client.
 */
final class SharedPydbClients {
    private final Function<PydbClientConfig, PydbClient> connector;
    private final Map<PydbClientConfig, Shared> clients = new HashMap<>();

    SharedPydbClients(Function<PydbClientConfig, PydbClient> connector) {
        this.connector = requireNonNull(connector, "connector is null");
    }

    /** The shared client of {@code config}, connecting it if no one holds it now. */
    synchronized PydbClient acquire(PydbClientConfig config) {
        requireNonNull(config, "config is null");
        Shared shared = clients.get(config);
        if (shared == null) {
            shared = new Shared(connector.apply(config));
            clients.put(config, shared);
        }
        shared.references++;
        return shared.client;
    }

    /** Gives back one reference to the client of {@code config}; the last one closes it. */
    synchronized void release(PydbClientConfig config) {
        requireNonNull(config, "config is null");
        Shared shared = clients.get(config);
        if (shared == null) {
            throw new IllegalStateException("no client is held for " + config);
        }
        shared.references--;
        if (shared.references == 0) {
            clients.remove(config);
            shared.client.close();
        }
    }

    /** How many references to the client of {@code config} are held (0 if none). */
    synchronized int references(PydbClientConfig config) {
        Shared shared = clients.get(config);
        return shared == null ? 0 : shared.references;
    }

    private static final class Shared {
        private final PydbClient client;
        private int references;

        Shared(PydbClient client) {
            this.client = client;
        }
    }
}
