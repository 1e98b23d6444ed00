package dev.pydb.engine.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.ConfigException;
import dev.pydb.api.Names;
import dev.pydb.engine.json.JsonSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Binds the environment file ({@code conf/env.json}) strictly into {@link EnvConfig}: an unknown
 * key, a missing required key or a bad value is a {@link ConfigException} naming the key by its
 * full path (e.g. {@code auth.users[1].roles[0]}) and what was expected. Applies the defaults
 * documented on the section records.
 */
public final class EnvConfigBinder {
    /** The largest environment file read. */
    public static final int MAX_FILE_BYTES = 4 * 1024 * 1024;
    public static final Set<String> LOG_LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final String DEFAULT_STORAGE_PATH = "data/py_db";
    public static final String DEFAULT_LOG_LEVEL = "INFO";
    public static final String DEFAULT_LOG_FILE = "logs/py_db.log";
    public static final String DEFAULT_PLUGINS_DIR = "plugins";

    private static final ObjectMapper JSON = JsonSupport.mapper(MAX_FILE_BYTES);

    private EnvConfigBinder() {}

    /** Reads and binds {@code file}; every problem is a {@link ConfigException}. */
    public static EnvConfig read(Path file) {
        requireNonNull(file, "file is null");
        String name = file.toString();
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new ConfigException(name, "is larger than " + MAX_FILE_BYTES + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(name, "environment file not found");
        } catch (IOException e) {
            throw new ConfigException(name, "cannot read the environment file: " + e);
        }
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            JsonLocation where = e.getLocation();
            String position = where == null ? "" : " at line " + where.getLineNr() + ", column " + where.getColumnNr();
            throw new ConfigException(name, "not valid JSON" + position + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException(name, "not valid JSON: " + e.getMessage());
        } catch (NumberFormatException e) {
            throw new ConfigException(name, "has a number that cannot be represented: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(name, "must hold a JSON object");
        }
        return bind((ObjectNode) root);
    }

    /** Binds an already parsed environment file. */
    public static EnvConfig bind(ObjectNode root) {
        ConfigObject top = new ConfigObject(requireNonNull(root, "root is null"), "");
        ServerConfig server = server(top.optionalObject("server"));
        StorageSection storage = storage(top.requiredObject("storage"));
        AuthConfig auth = auth(top.requiredObject("auth"));
        LoggingConfig logging = logging(top.optionalObject("logging"));
        PluginsConfig plugins = plugins(top.optionalObject("plugins"));
        top.requireNoOtherKeys();
        return new EnvConfig(server, storage, auth, logging, plugins);
    }

    private static ServerConfig server(Optional<ConfigObject> section) {
        if (section.isEmpty()) {
            return ServerConfig.defaults(DEFAULT_HOST, ServerConfig.DEFAULT_PORT);
        }
        ConfigObject s = section.get();
        int maxQueryLength = s.positiveInt("max_query_length", ServerConfig.DEFAULT_MAX_QUERY_LENGTH);
        int maxUnauthenticated = s.positiveInt("max_unauthenticated_query_length",
                ServerConfig.defaultMaxUnauthenticatedQueryLength(maxQueryLength));
        if (maxUnauthenticated > maxQueryLength) {
            throw new ConfigException("server.max_unauthenticated_query_length", "must not be larger than "
                    + "server.max_query_length (" + maxQueryLength + "), was " + maxUnauthenticated);
        }
        int maxConnections = s.positiveInt("max_connections", ServerConfig.DEFAULT_MAX_CONNECTIONS);
        int idleTimeoutSeconds = s.positiveInt("idle_timeout_seconds", ServerConfig.DEFAULT_IDLE_TIMEOUT_SECONDS);
        ServerConfig config = new ServerConfig(
                s.string("host", DEFAULT_HOST),
                (int) s.integer("port", ServerConfig.DEFAULT_PORT, 0, 65535),
                maxConnections,
                maxQueryLength,
                s.positiveInt("max_document_bytes", ServerConfig.DEFAULT_MAX_DOCUMENT_BYTES),
                s.positiveInt("max_batch_ops", ServerConfig.DEFAULT_MAX_BATCH_OPS),
                idleTimeoutSeconds,
                s.positiveInt("frame_timeout_seconds", ServerConfig.DEFAULT_FRAME_TIMEOUT_SECONDS),
                maxUnauthenticated,
                s.bool("allow_plaintext_passwords_on_network", false),
                tls(s.optionalObject("tls")),
                s.bool("allow_default_credentials_on_network", false),
                metrics(s.optionalObject("metrics")),
                preAuth(s, maxConnections, idleTimeoutSeconds));
        s.requireNoOtherKeys();
        if (config.maxDocumentBytes() > config.maxQueryLength()) {
            throw new ConfigException("server.max_document_bytes", "must not be larger than server.max_query_length ("
                    + config.maxQueryLength() + "), was " + config.maxDocumentBytes());
        }
        return config;
    }

    /** The pre-authentication limits; each must fit the limit it is part of. */
    private static PreAuthConfig preAuth(ConfigObject s, int maxConnections, int idleTimeoutSeconds) {
        int max = s.positiveInt("max_unauthenticated_connections", PreAuthConfig.defaultMaxConnections(maxConnections));
        notLarger("server.max_unauthenticated_connections", max, "server.max_connections", maxConnections);
        int perAddress = s.positiveInt("max_unauthenticated_connections_per_address",
                PreAuthConfig.defaultMaxConnectionsPerAddress(max));
        notLarger("server.max_unauthenticated_connections_per_address", perAddress,
                "server.max_unauthenticated_connections", max);
        int timeout = s.positiveInt("unauthenticated_timeout_seconds", PreAuthConfig.defaultTimeoutSeconds(idleTimeoutSeconds));
        notLarger("server.unauthenticated_timeout_seconds", timeout, "server.idle_timeout_seconds", idleTimeoutSeconds);
        return new PreAuthConfig(max, perAddress, timeout);
    }

    private static void notLarger(String key, int value, String limitKey, int limit) {
        if (value > limit) {
            throw new ConfigException(key, "must not be larger than " + limitKey + " (" + limit + "), was " + value);
        }
    }

    private static MetricsConfig metrics(Optional<ConfigObject> section) {
        if (section.isEmpty()) {
            return MetricsConfig.DISABLED;
        }
        ConfigObject m = section.get();
        MetricsConfig config = new MetricsConfig(
                m.bool("enabled", false),
                m.string("host", MetricsConfig.DEFAULT_HOST),
                (int) m.integer("port", MetricsConfig.DEFAULT_PORT, 0, 65535));
        m.requireNoOtherKeys();
        return config;
    }

    private static TlsConfig tls(Optional<ConfigObject> section) {
        if (section.isEmpty()) {
            return TlsConfig.DISABLED;
        }
        ConfigObject t = section.get();
        boolean enabled = t.bool("enabled", false);
        String keyStore = optionalString(t, "key_store");
        String password = t.get("key_store_password").map(v -> {
            if (!v.isTextual()) {
                throw new ConfigException("server.tls.key_store_password", "must be a string, was " + v.getNodeType());
            }
            return v.textValue();
        }).orElse(null);
        String type = t.string("key_store_type", TlsConfig.DEFAULT_KEY_STORE_TYPE);
        String certificate = optionalString(t, "certificate");
        String privateKey = optionalString(t, "private_key");
        t.requireNoOtherKeys();
        if (enabled) {
            if ((keyStore != null) == (certificate != null || privateKey != null)) {
                throw new ConfigException("server.tls", "give either key_store (+ key_store_password) or certificate"
                        + " + private_key (PEM)");
            }
            if (keyStore == null && certificate == null) {
                throw new ConfigException("server.tls.certificate", "is required with private_key");
            }
            if (keyStore == null && privateKey == null) {
                throw new ConfigException("server.tls.private_key", "is required with certificate");
            }
        }
        return new TlsConfig(enabled, keyStore, password, type, certificate, privateKey);
    }

    private static String optionalString(ConfigObject section, String key) {
        return section.get(key).map(v -> ConfigObject.string(v, section.keyPath(key))).orElse(null);
    }

    private static StorageSection storage(ConfigObject s) {
        String provider = s.requiredString("provider");
        String path = s.string("path", DEFAULT_STORAGE_PATH);
        ObjectNode options = s.optionalObjectNode("options").orElseGet(JsonNodeFactory.instance::objectNode);
        s.requireNoOtherKeys();
        return new StorageSection(provider, path, options.deepCopy());
    }

    private static AuthConfig auth(ConfigObject s) {
        long ttl = s.integer("token_ttl_seconds", AuthConfig.DEFAULT_TOKEN_TTL_SECONDS, 1, 366L * 24 * 3600);
        ArrayNode usersNode = s.requiredArray("users");
        if (usersNode.isEmpty()) {
            throw new ConfigException("auth.users", "must list at least one user");
        }
        List<UserConfig> users = new ArrayList<>();
        Map<String, Integer> indexByName = new HashMap<>();
        for (int i = 0; i < usersNode.size(); i++) {
            String path = "auth.users[" + i + "]";
            UserConfig user = user(ConfigObject.of(usersNode.get(i), path), path);
            Integer previous = indexByName.putIfAbsent(user.username(), i);
            if (previous != null) {
                throw new ConfigException(path + ".username", "duplicate username '" + user.username()
                        + "' (also auth.users[" + previous + "])");
            }
            users.add(user);
        }
        int failuresBeforeLockout = (int) s.integer("login_failures_before_lockout",
                AuthConfig.DEFAULT_LOGIN_FAILURES_BEFORE_LOCKOUT, 1, 1_000_000);
        long lockoutSeconds = s.integer("lockout_seconds", AuthConfig.DEFAULT_LOCKOUT_SECONDS, 1, 24 * 3600);
        long maxLockoutSeconds = s.integer("max_lockout_seconds",
                Math.max(AuthConfig.DEFAULT_MAX_LOCKOUT_SECONDS, lockoutSeconds), lockoutSeconds, 7L * 24 * 3600);
        s.requireNoOtherKeys();
        return new AuthConfig(ttl, users, failuresBeforeLockout, lockoutSeconds, maxLockoutSeconds);
    }

    private static UserConfig user(ConfigObject u, String path) {
        String username = u.requiredString("username");
        String passwordHash = u.get("password_hash").map(v -> ConfigObject.string(v, path + ".password_hash")).orElse(null);
        String password = u.get("password").map(v -> ConfigObject.string(v, path + ".password")).orElse(null);
        if (passwordHash == null && password == null) {
            throw new ConfigException(path + ".password_hash", "is required (or a plain-text " + path + ".password)");
        }
        if (passwordHash != null && password != null) {
            throw new ConfigException(path + ".password", "give either password_hash or password, not both");
        }
        if (passwordHash != null) {
            try {
                PasswordHashFormat.parse(passwordHash);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(path + ".password_hash", e.getMessage());
            }
        }
        ArrayNode rolesNode = u.requiredArray("roles");
        List<String> roles = new ArrayList<>();
        for (int i = 0; i < rolesNode.size(); i++) {
            String rolePath = path + ".roles[" + i + "]";
            String role = ConfigObject.string(rolesNode.get(i), rolePath);
            if (!isValidRole(role)) {
                throw new ConfigException(rolePath, "must be admin, read:<db|*> or readWrite:<db|*>, was \"" + role + "\"");
            }
            roles.add(role);
        }
        u.requireNoOtherKeys();
        return new UserConfig(username, passwordHash, password, roles);
    }

    /** Whether {@code role} is {@code admin}, {@code read:<db|*>} or {@code readWrite:<db|*>}. */
    public static boolean isValidRole(String role) {
        if (role.equals("admin")) {
            return true;
        }
        int colon = role.indexOf(':');
        if (colon < 0) {
            return false;
        }
        String kind = role.substring(0, colon);
        String db = role.substring(colon + 1);
        return (kind.equals("read") || kind.equals("readWrite")) && (db.equals("*") || Names.isValidDatabaseName(db));
    }

    private static LoggingConfig logging(Optional<ConfigObject> section) {
        if (section.isEmpty()) {
            return new LoggingConfig(DEFAULT_LOG_LEVEL, true, DEFAULT_LOG_FILE);
        }
        ConfigObject s = section.get();
        String level = s.string("level", DEFAULT_LOG_LEVEL).toUpperCase(Locale.ROOT);
        if (!LOG_LEVELS.contains(level)) {
            throw new ConfigException("logging.level", "must be one of TRACE, DEBUG, INFO, WARN, ERROR, was \""
                    + s.string("level", DEFAULT_LOG_LEVEL) + "\"");
        }
        boolean console = s.bool("console", true);
        JsonNode fileNode = s.get("file").orElse(null);
        String file;
        if (fileNode == null) {
            file = DEFAULT_LOG_FILE;
        } else if (fileNode.isNull()) {
            file = null;
        } else {
            file = ConfigObject.string(fileNode, "logging.file");
        }
        s.requireNoOtherKeys();
        return new LoggingConfig(level, console, file);
    }

    private static PluginsConfig plugins(Optional<ConfigObject> section) {
        if (section.isEmpty()) {
            return new PluginsConfig(DEFAULT_PLUGINS_DIR);
        }
        ConfigObject s = section.get();
        String dir = s.string("dir", DEFAULT_PLUGINS_DIR);
        s.requireNoOtherKeys();
        return new PluginsConfig(dir);
    }
}
