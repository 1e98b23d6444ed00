package dev.pydb.api;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** The naming rules of the protocol, the same for every backend. */
public final class Names {
    /** Database names: {@code [A-Za-z0-9_-]{1,64}}; this also keeps {@code ../} out of file paths. */
    public static final Pattern DATABASE_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    /** Keys are non-empty strings of at most this many UTF-8 bytes. */
    public static final int MAX_KEY_BYTES = 255;

    private Names() {}

    public static boolean isValidDatabaseName(String name) {
        return name != null && DATABASE_NAME.matcher(name).matches();
    }

    /** Returns {@code name}, or throws {@code BAD_REQUEST} naming the rule. */
    public static String requireDatabaseName(String name) {
        if (!isValidDatabaseName(name)) {
            throw PydbException.badRequest("invalid database name" + (name == null ? "" : " '" + abbreviate(name) + "'")
                    + ": must match [A-Za-z0-9_-]{1,64}");
        }
        return name;
    }

    /**
     * Returns {@code key}, or throws {@code BAD_REQUEST} for an empty key or one with a lone UTF-16
     * surrogate (UTF-8 cannot encode it, so backends would store something else), and
     * {@code LIMIT_EXCEEDED} for one over {@link #MAX_KEY_BYTES}.
     */
    public static String requireKey(String key) {
        if (key == null || key.isEmpty()) {
            throw PydbException.badRequest("key must be a non-empty string");
        }
        if (hasLoneSurrogate(key)) {
            throw PydbException.badRequest("key contains a lone UTF-16 surrogate, which UTF-8 cannot encode");
        }
        int bytes = utf8Length(key);
        if (bytes > MAX_KEY_BYTES) {
            throw new PydbException(ErrorCode.LIMIT_EXCEEDED,
                    "key is " + bytes + " bytes of UTF-8, the limit is " + MAX_KEY_BYTES);
        }
        return key;
    }

    private static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /** The number of bytes of {@code s} in UTF-8. */
    public static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }
}
