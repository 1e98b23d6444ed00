package dev.pydb.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version of this api, {@code MAJOR.MINOR}, separate from the server's version: the minor
 * grows with every additive change (a new default method, a new type, a new error code), the
 * major with every incompatible one. A plugin records the version it was compiled against in its
 * jar manifest as {@value #MANIFEST_ATTRIBUTE} (py_db's own build does so for every jar; see
 * {@code docs/PLUGINS.md}); the server refuses a plugin of another major version and warns about
 * one of a newer minor version (it may call methods this server does not have).
 */
public record ApiVersion(int major, int minor) implements Comparable<ApiVersion> {
    /** The jar manifest attribute that names the api version a plugin was compiled against. */
    public static final String MANIFEST_ATTRIBUTE = "Pydb-Api-Version";

    private static final ApiVersion CURRENT = load();

    public ApiVersion {
        if (major < 0 || minor < 0) {
            throw new IllegalArgumentException("version parts must be >= 0: " + major + "." + minor);
        }
    }

    /** The version of the api classes on this class path. */
    public static ApiVersion current() {
        return CURRENT;
    }

    /** Parses {@code MAJOR.MINOR}; {@link IllegalArgumentException} naming the text otherwise. */
    public static ApiVersion parse(String text) {
        String trimmed = text == null ? "" : text.trim();
        if (!trimmed.matches("[0-9]{1,6}\\.[0-9]{1,6}")) {
            throw new IllegalArgumentException("not an api version (MAJOR.MINOR): '" + text + "'");
        }
        int dot = trimmed.indexOf('.');
        return new ApiVersion(Integer.parseInt(trimmed.substring(0, dot)), Integer.parseInt(trimmed.substring(dot + 1)));
    }

    @Override
    public int compareTo(ApiVersion other) {
        return major != other.major ? Integer.compare(major, other.major) : Integer.compare(minor, other.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }

    private static ApiVersion load() {
        try (InputStream in = ApiVersion.class.getResourceAsStream("api-version.properties")) {
            if (in == null) {
                throw new IllegalStateException("dev/pydb/api/api-version.properties is missing from the api jar");
            }
            Properties properties = new Properties();
            properties.load(in);
            return parse(properties.getProperty("api.version"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
