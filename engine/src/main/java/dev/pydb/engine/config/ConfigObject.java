package dev.pydb.engine.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.ConfigException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;

/**
 * One object of the environment file, read strictly: every accessor names the key by its full
 * path, and {@link #requireNoOtherKeys()} rejects any key that was not read.
 */
final class ConfigObject {
    private final ObjectNode node;
    private final String path;
    private final Set<String> read = new HashSet<>();

    ConfigObject(ObjectNode node, String path) {
        this.node = requireNonNull(node, "node is null");
        this.path = requireNonNull(path, "path is null");
    }

    /** The object at {@code value}, or a {@link ConfigException} naming {@code path}. */
    static ConfigObject of(JsonNode value, String path) {
        if (value == null || !value.isObject()) {
            throw new ConfigException(path, "must be an object, was " + describe(value));
        }
        return new ConfigObject((ObjectNode) value, path);
    }

    String keyPath(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** The raw value of {@code key}, or empty if absent; marks it as read. */
    Optional<JsonNode> get(String key) {
        read.add(key);
        return Optional.ofNullable(node.get(key));
    }

    JsonNode require(String key) {
        return get(key).orElseThrow(() -> new ConfigException(keyPath(key), "is required"));
    }

    Optional<ConfigObject> optionalObject(String key) {
        return optionalObjectNode(key).map(value -> new ConfigObject(value, keyPath(key)));
    }

    Optional<ObjectNode> optionalObjectNode(String key) {
        return get(key).map(value -> of(value, keyPath(key)).node);
    }

    ConfigObject requiredObject(String key) {
        return of(require(key), keyPath(key));
    }

    String requiredString(String key) {
        return string(require(key), keyPath(key));
    }

    String string(String key, String defaultValue) {
        return get(key).map(value -> string(value, keyPath(key))).orElse(defaultValue);
    }

    boolean bool(String key, boolean defaultValue) {
        Optional<JsonNode> value = get(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        if (!value.get().isBoolean()) {
            throw new ConfigException(keyPath(key), "must be true or false, was " + describe(value.get()));
        }
        return value.get().booleanValue();
    }

    long integer(String key, long defaultValue, long min, long max) {
        Optional<JsonNode> value = get(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        JsonNode v = value.get();
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new ConfigException(keyPath(key), "must be an integer between " + min + " and " + max
                    + ", was " + describe(v));
        }
        long result = v.longValue();
        if (result < min || result > max) {
            throw new ConfigException(keyPath(key), "must be between " + min + " and " + max + ", was " + result);
        }
        return result;
    }

    int positiveInt(String key, int defaultValue) {
        return (int) integer(key, defaultValue, 1, Integer.MAX_VALUE);
    }

    ArrayNode requiredArray(String key) {
        JsonNode value = require(key);
        if (!value.isArray()) {
            throw new ConfigException(keyPath(key), "must be an array, was " + describe(value));
        }
        return (ArrayNode) value;
    }

    void requireNoOtherKeys() {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!read.contains(name)) {
                throw new ConfigException(keyPath(name), "unknown key");
            }
        }
    }

    static String string(JsonNode value, String path) {
        if (value == null || !value.isTextual() || value.textValue().isBlank()) {
            throw new ConfigException(path, "must be a non-empty string, was " + describe(value));
        }
        return value.textValue();
    }

    static String describe(JsonNode value) {
        if (value == null || value.isMissingNode()) {
            return "missing";
        }
        String text = value.toString();
        return text.length() <= 60 ? text : text.substring(0, 60) + "…";
    }
}
