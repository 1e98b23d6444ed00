package dev.pydb.ycsb;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import site.ycsb.ByteIterator;
import site.ycsb.StringByteIterator;

/** Helpers for the binding tests: records as YCSB hands them over, and back as plain strings. */
final class YcsbRecords {
    private YcsbRecords() {
    }

    static Map<String, ByteIterator> record(String... fieldsAndValues) {
        Map<String, String> strings = new LinkedHashMap<>();
        for (int i = 0; i < fieldsAndValues.length; i += 2) {
            strings.put(fieldsAndValues[i], fieldsAndValues[i + 1]);
        }
        return StringByteIterator.getByteIteratorMap(strings);
    }

    static Map<String, String> strings(Map<String, ByteIterator> record) {
        return new HashMap<>(StringByteIterator.getStringMap(record));
    }

    static Properties properties(String... namesAndValues) {
        Properties properties = new Properties();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            properties.setProperty(namesAndValues[i], namesAndValues[i + 1]);
        }
        return properties;
    }
}
