package dev.pydb.api.storage;

import java.util.Comparator;

/**
 * The one key order of py_db: by Unicode code point, which is the same as the unsigned byte
 * order of the keys' UTF-8 encodings (the order LMDB keeps). {@link String#compareTo} compares
 * UTF-16 units and differs for characters outside the Basic Multilingual Plane, so backends that
 * sort in Java use {@link #COMPARATOR}.
 */
public final class KeyOrder {
    public static final Comparator<String> COMPARATOR = KeyOrder::compare;

    private KeyOrder() {}

    public static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
