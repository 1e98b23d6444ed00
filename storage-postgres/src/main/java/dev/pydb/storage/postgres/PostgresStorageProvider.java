package dev.pydb.storage.postgres;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageContext;
import dev.pydb.api.storage.StorageProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code postgres} storage provider: py_db's databases in tables of one PostgreSQL schema, so
 * any number of py_db nodes with the same {@code url} and {@code schema} serve the same data.
 *
 * <h2>Options ({@code storage.options})</h2>
 * <ul>
 *   <li>{@code url} (required): {@code jdbc:postgresql://host:port/db}; for failover list every
 *       host and add {@code targetServerType=primary}
 *       ({@code jdbc:postgresql://db1:5432,db2:5432/pydb?targetServerType=primary});</li>
 *   <li>{@code user} (required), {@code password} or {@code password_file} (its first line; a
 *       relative path is resolved against the home folder);</li>
 *   <li>{@code pool_size} (default 16): connections this node keeps;</li>
 *   <li>{@code schema} (default {@code pydb}): the schema of py_db's tables, created on first start
 *       and migrated by version ({@link SchemaMigrations});</li>
 *   <li>{@code connect_timeout_seconds} (default 10): how long a request waits for a connection,
 *       and how long a write keeps retrying while PostgreSQL is unreachable (a failover).</li>
 * </ul>
 * {@code storage.path} is this node's own folder (the server's lock file lives there); it holds
 * no data, so nodes on one machine need different paths.
 */
public final class PostgresStorageProvider implements StorageProvider {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresStorageProvider.class);

    @Override
    public String name() {
        return PostgresStorage.NAME;
    }

    @Override
    public Storage open(StorageConfig config, StorageContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        PostgresSettings settings = PostgresSettings.from(config.options(), context.homeDirectory());
        createNodeFolder(config.path());
        HikariDataSource pool = pool(settings);
        try {
            Transactions transactions = new Transactions(pool, Duration.ofSeconds(settings.connectTimeoutSeconds()));
            int before = transactions.read(connection -> migrate(connection, settings.schema(), context.serverVersion()));
            PostgresStorage storage = new PostgresStorage(pool, transactions, settings.schema());
            LOG.info("postgres storage: schema '{}' at version {} (was {}), pool of {} connections to {}", settings.schema(),
                    SchemaMigrations.CURRENT_VERSION, before, settings.poolSize(), settings.url());
            storage.resumeIndexBuilds();
            return storage;
        } catch (RuntimeException | Error e) {
            pool.close();
            throw e;
        }
    }

    private static int migrate(Connection connection, String schema, String serverVersion) throws SQLException {
        try {
            return SchemaMigrations.migrate(connection, schema, serverVersion);
        } finally {
            connection.setAutoCommit(true);
        }
    }

    private static HikariDataSource pool(PostgresSettings settings) {
        PGSimpleDataSource driver = new PGSimpleDataSource();
        try {
            driver.setURL(settings.url());
        } catch (IllegalArgumentException e) {
            throw new dev.pydb.api.ConfigException("storage.options.url", "is not a PostgreSQL JDBC URL: " + e.getMessage());
        }
        driver.setUser(settings.user());
        if (settings.password() != null) {
            driver.setPassword(settings.password());
        }
        driver.setCurrentSchema(settings.schema());
        driver.setConnectTimeout(settings.connectTimeoutSeconds());
        driver.setSocketTimeout(0);
        driver.setTcpKeepAlive(true);
        driver.setApplicationName("py_db");
        HikariConfig config = new HikariConfig();
        config.setDataSource(driver);
        config.setPoolName("pydb-postgres");
        config.setMaximumPoolSize(settings.poolSize());
        config.setMinimumIdle(Math.min(2, settings.poolSize()));
        config.setConnectionTimeout(Duration.ofSeconds(settings.connectTimeoutSeconds()).toMillis());
        config.setInitializationFailTimeout(Duration.ofSeconds(settings.connectTimeoutSeconds()).toMillis());
        config.setAutoCommit(true);
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new PydbException(ErrorCode.UNAVAILABLE, "cannot connect to PostgreSQL at " + settings.url() + " as '"
                    + settings.user() + "': " + rootMessage(e), e);
        }
    }

    private static void createNodeFolder(Path path) {
        try {
            if (Files.exists(path) && !Files.isDirectory(path)) {
                throw new PydbException(ErrorCode.UNAVAILABLE, "storage.path " + path + " is not a folder");
            }
            Files.createDirectories(path);
        } catch (IOException e) {
            throw new PydbException(ErrorCode.UNAVAILABLE, "cannot create the node folder " + path + ": " + e.getMessage(), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
