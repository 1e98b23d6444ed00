package dev.pydb.storage.postgres;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ConfigException;
import dev.pydb.api.storage.StorageOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code storage.options} of the {@code postgres} provider, validated strictly: an unknown
 * option or a bad value is a {@link ConfigException} naming {@code storage.options.<name>}.
 *
 * @param url {@code jdbc:postgresql://host:port/db}, several hosts allowed
 *     ({@code jdbc:postgresql://a:5432,b:5432/db?targetServerType=primary})
 * @param user the role to connect as
 * @param password its password, or {@code null} (from {@code password}, or the first line of
 *     {@code password_file}, resolved against the home folder)
 * @param poolSize connections per py_db node
 * @param schema the PostgreSQL schema holding py_db's tables (one py_db "store" per schema)
 * @param connectTimeoutSeconds how long to wait for a connection (pool and driver)
 */
record PostgresSettings(String url, String user, String password, int poolSize, String schema,
        int connectTimeoutSeconds) {
    static final String DEFAULT_SCHEMA = "pydb";
    static final int DEFAULT_POOL_SIZE = 16;
    static final int DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;
    private static final String PREFIX = "storage.options.";
    private static final Pattern SCHEMA_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    PostgresSettings {
        requireNonNull(url, "url is null");
        requireNonNull(user, "user is null");
        requireNonNull(schema, "schema is null");
    }

    /** Reads and checks the options; {@code home} resolves a relative {@code password_file}. */
    static PostgresSettings from(StorageOptions options, Path home) {
        requireNonNull(options, "options is null");
        requireNonNull(home, "home is null");
        options.requireOnly("url", "user", "password", "password_file", "pool_size", "schema", "connect_timeout_seconds");
        String url = required(options, "url");
        if (!url.startsWith("jdbc:postgresql://")) {
            throw new ConfigException(PREFIX + "url", "must start with jdbc:postgresql://, e.g."
                    + " jdbc:postgresql://db1:5432,db2:5432/pydb?targetServerType=primary");
        }
        String user = required(options, "user");
        if (options.has("password") && options.has("password_file")) {
            throw new ConfigException(PREFIX + "password_file", "give either password or password_file, not both");
        }
        String password = options.getString("password", null, Set.of());
        if (options.has("password_file")) {
            password = readPasswordFile(home.resolve(options.getString("password_file", null, Set.of())));
        }
        int poolSize = options.getInt("pool_size", DEFAULT_POOL_SIZE, 1, 1000);
        String schema = options.getString("schema", DEFAULT_SCHEMA, Set.of());
        if (!SCHEMA_NAME.matcher(schema).matches()) {
            throw new ConfigException(PREFIX + "schema", "must be a lower-case SQL identifier"
                    + " ([a-z_][a-z0-9_]*, at most 63 characters), was '" + schema + "'");
        }
        int connectTimeout = options.getInt("connect_timeout_seconds", DEFAULT_CONNECT_TIMEOUT_SECONDS, 1, 3600);
        return new PostgresSettings(url, user, password, poolSize, schema, connectTimeout);
    }

    private static String required(StorageOptions options, String name) {
        if (!options.has(name)) {
            throw new ConfigException(PREFIX + name, "is required by the postgres provider");
        }
        String value = options.getString(name, null, Set.of());
        if (value.isBlank()) {
            throw new ConfigException(PREFIX + name, "must not be empty");
        }
        return value;
    }

    private static String readPasswordFile(Path file) {
        try {
            String content = Files.readString(file, StandardCharsets.UTF_8);
            int end = content.indexOf('\n');
            String line = (end < 0 ? content : content.substring(0, end)).strip();
            if (line.isEmpty()) {
                throw new ConfigException(PREFIX + "password_file", "the file " + file + " is empty");
            }
            return line;
        } catch (IOException e) {
            throw new ConfigException(PREFIX + "password_file", "cannot read " + file + ": " + e.getMessage());
        }
    }

    /** The settings with the password hidden. */
    @Override
    public String toString() {
        return "PostgresSettings[url=" + url + ", user=" + user + ", password=" + (password == null ? "none" : "***")
                + ", poolSize=" + poolSize + ", schema=" + schema + ", connectTimeoutSeconds=" + connectTimeoutSeconds + "]";
    }
}
