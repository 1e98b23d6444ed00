package dev.pydb.storage.postgres.cluster;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One {@link LocalPostgres} primary for all the tests of a JVM, started on first use and stopped
 * when the JVM exits; each test takes its own schema ({@link #newSchema}), so tests never see each
 * other's data.
 */
public final class SharedPostgres {
    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private static LocalPostgres server;

    private SharedPostgres() {}

    /** The shared server (started if needed); fails in CI and skips elsewhere without PostgreSQL. */
    public static synchronized LocalPostgres server() {
        LocalPostgres.requireAvailable();
        if (server == null) {
            LocalPostgres started = LocalPostgres.startPrimary();
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "stop-test-postgres"));
            server = started;
        }
        return server;
    }

    /** A schema name no other test of this JVM uses. */
    public static String newSchema(String prefix) {
        return prefix + "_" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();
    }

    /** {@code storage.options} for the shared server and {@code schema}. */
    public static ObjectNode options(String schema) {
        LocalPostgres postgres = server();
        return JsonNodeFactory.instance.objectNode()
                .put("url", postgres.jdbcUrl())
                .put("user", LocalPostgres.USER)
                .put("password", LocalPostgres.PASSWORD)
                .put("pool_size", 4)
                .put("schema", schema);
    }
}
