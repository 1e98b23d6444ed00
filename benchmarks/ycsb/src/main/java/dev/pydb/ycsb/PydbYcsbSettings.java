package dev.pydb.ycsb;

import static java.util.Objects.requireNonNull;

import dev.pydb.client.PydbClientConfig;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The settings of {@link PydbYcsbClient}, read from YCSB's properties (listed there).
 *
 * @param clientConfig the client's connection settings
 * @param database     the database the records live in
 * @param insertAction how YCSB's insert is sent
 */
record PydbYcsbSettings(PydbClientConfig clientConfig, String database, InsertAction insertAction) {
    static final String HOST = "pydb.host";
    static final String PORT = "pydb.port";
    static final String USER = "pydb.user";
    static final String PASSWORD = "pydb.password";
    static final String DATABASE = "pydb.database";
    static final String POOL_SIZE = "pydb.pool_size";
    static final String INSERT_ACTION = "pydb.insert_action";
    static final String PASSWORD_VARIABLE = "PYDB_PASSWORD";

    /** The request YCSB's insert becomes. */
    enum InsertAction { INSERT, PUT }

    PydbYcsbSettings {
        requireNonNull(clientConfig, "clientConfig is null");
        requireNonNull(database, "database is null");
        requireNonNull(insertAction, "insertAction is null");
    }

    /** Reads the settings; a missing or bad value is an {@link IllegalArgumentException} naming the property. */
    static PydbYcsbSettings from(Properties properties) {
        return from(properties, System.getenv());
    }

    static PydbYcsbSettings from(Properties properties, Map<String, String> environment) {
        requireNonNull(properties, "properties is null");
        requireNonNull(environment, "environment is null");
        String password = properties.getProperty(PASSWORD, environment.get(PASSWORD_VARIABLE));
        if (password == null) {
            throw new IllegalArgumentException("property " + PASSWORD + " (or the environment variable "
                    + PASSWORD_VARIABLE + ") is required");
        }
        int threads = integer(properties, "threadcount", 1);
        PydbClientConfig config;
        try {
            config = PydbClientConfig.builder(properties.getProperty(HOST, "127.0.0.1"),
                            integer(properties, PORT, PydbClientConfig.DEFAULT_PORT))
                    .credentials(properties.getProperty(USER, "admin"), password)
                    .poolSize(integer(properties, POOL_SIZE, Math.max(1, threads)))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad pydb.* property: " + e.getMessage(), e);
        }
        String action = properties.getProperty(INSERT_ACTION, InsertAction.INSERT.name());
        InsertAction insertAction;
        try {
            insertAction = InsertAction.valueOf(action.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("property " + INSERT_ACTION + " must be INSERT or PUT, got '" + action + "'");
        }
        return new PydbYcsbSettings(config, properties.getProperty(DATABASE, "ycsb"), insertAction);
    }

    private static int integer(Properties properties, String name, int fallback) {
        String value = properties.getProperty(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("property " + name + " must be an integer, got '" + value + "'");
        }
    }
}
