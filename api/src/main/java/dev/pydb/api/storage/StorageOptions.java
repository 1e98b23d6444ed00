package dev.pydb.api.storage;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.ConfigException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code storage.options} object, with strict accessors: every problem is a
 * {@link ConfigException} naming the key as {@code storage.options.<name>}.
 */
public final class StorageOptions {
    private static final String PREFIX = "storage.options.";
    private final ObjectNode options;

    private StorageOptions(ObjectNode options) {
        this.options = options.deepCopy();
    }

    public static StorageOptions of(ObjectNode options) {
        return new StorageOptions(requireNonNull(options, "options is null"));
    }

    public static StorageOptions empty() {
        return new StorageOptions(JsonNodeFactory.instance.objectNode());
    }

    /** Fails on the first option not in {@code known}, listing the known ones. */
    public StorageOptions requireOnly(String... known) {
        Set<String> allowed = new TreeSet<>(Arrays.asList(known));
        Iterator<String> names = options.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new ConfigException(PREFIX + name, "unknown option for this provider"
                        + (allowed.isEmpty() ? " (it takes none)" : " (known: " + String.join(", ", allowed) + ")"));
            }
        }
        return this;
    }

    public List<String> names() {
        List<String> result = new ArrayList<>();
        options.fieldNames().forEachRemaining(result::add);
        return result;
    }

    public boolean has(String name) {
        return options.has(name);
    }

    public long getLong(String name, long defaultValue, long min, long max) {
        JsonNode value = options.get(name);
        if (value == null) {
            return defaultValue;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new ConfigException(PREFIX + name, "must be an integer, was " + value);
        }
        long result = value.longValue();
        if (result < min || result > max) {
            throw new ConfigException(PREFIX + name, "must be between " + min + " and " + max + ", was " + result);
        }
        return result;
    }

    public int getInt(String name, int defaultValue, int min, int max) {
        return (int) getLong(name, defaultValue, min, max);
    }

    public boolean getBoolean(String name, boolean defaultValue) {
        JsonNode value = options.get(name);
        if (value == null) {
            return defaultValue;
        }
        if (!value.isBoolean()) {
            throw new ConfigException(PREFIX + name, "must be true or false, was " + value);
        }
        return value.booleanValue();
    }

    public String getString(String name, String defaultValue, Set<String> allowed) {
        JsonNode value = options.get(name);
        if (value == null) {
            return defaultValue;
        }
        if (!value.isTextual() || (!allowed.isEmpty() && !allowed.contains(value.textValue()))) {
            throw new ConfigException(PREFIX + name, "must be " + (allowed.isEmpty() ? "a string" : "one of " + new TreeSet<>(allowed))
                    + ", was " + value);
        }
        return value.textValue();
    }

    @Override
    public String toString() {
        return options.toString();
    }
}
