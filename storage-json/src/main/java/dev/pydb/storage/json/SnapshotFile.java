package dev.pydb.storage.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.KeyOrder;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A database's {@code snapshot.json}: every document as of batch {@code seq}, pretty-printed.
 * <pre>
 * {
 *   "format" : "pydb-json-snapshot/1",
 *   "database" : "shop",
 *   "seq" : 42,
 *   "documents" : [ { "key" : "u1", "rev" : 3, "doc" : { … } }, … ]
 * }
 * </pre>
 * It is replaced atomically: written to {@code snapshot.json.tmp}, fsynced, renamed over the old
 * one, and the directory fsynced.
 */
final class SnapshotFile {
    static final String FILE_NAME = "snapshot.json";
    static final String TEMP_FILE_NAME = "snapshot.json.tmp";
    static final String FORMAT = "pydb-json-snapshot/1";

    private SnapshotFile() {}

    /** The documents of a snapshot and the sequence number of the last batch it holds. */
    record Snapshot(long seq, NavigableMap<String, Document> documents) {}

    /** Durably replaces {@code directory/snapshot.json} with the given content. */
    static void write(Path directory, String database, long seq, Collection<Document> documents) throws IOException {
        Path temp = directory.resolve(TEMP_FILE_NAME);
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
            JsonGenerator generator = Json.FACTORY.createGenerator(out)
                    .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
                    .setPrettyPrinter(new DefaultPrettyPrinter());
            generator.writeStartObject();
            generator.writeStringField("format", FORMAT);
            generator.writeStringField("database", database);
            generator.writeNumberField("seq", seq);
            generator.writeArrayFieldStart("documents");
            for (Document document : documents) {
                generator.writeStartObject();
                generator.writeStringField("key", document.key());
                generator.writeNumberField("rev", document.rev());
                generator.writeFieldName("doc");
                try (JsonParser body = Json.FACTORY.createParser(document.body())) {
                    body.nextToken();
                    generator.copyCurrentStructureExact(body);
                }
                generator.writeEndObject();
            }
            generator.writeEndArray();
            generator.writeEndObject();
            generator.writeRaw('\n');
            generator.close();
            out.flush();
            channel.force(true);
        }
        DurableFiles.moveAtomically(temp, directory.resolve(FILE_NAME));
    }

    /** Reads a snapshot; {@link CorruptSnapshotException} if it is not a valid one. */
    static Snapshot read(Path file) throws IOException, CorruptSnapshotException {
        try (InputStream in = Files.newInputStream(file); JsonParser parser = Json.FACTORY.createParser(in)) {
            Snapshot snapshot = read(parser);
            if (parser.nextToken() != null) {
                throw new CorruptSnapshotException("content after the snapshot object");
            }
            return snapshot;
        } catch (JsonProcessingException e) {
            throw new CorruptSnapshotException("invalid JSON: " + e.getOriginalMessage() + " at "
                    + e.getLocation().offsetDescription());
        }
    }

    private static Snapshot read(JsonParser parser) throws IOException, CorruptSnapshotException {
        expect(parser.nextToken(), JsonToken.START_OBJECT, "the snapshot");
        String format = null;
        long seq = -1;
        NavigableMap<String, Document> documents = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (field) {
                case "format" -> {
                    expect(value, JsonToken.VALUE_STRING, "format");
                    format = parser.getText();
                }
                case "database" -> expect(value, JsonToken.VALUE_STRING, "database");
                case "seq" -> {
                    expect(value, JsonToken.VALUE_NUMBER_INT, "seq");
                    seq = parser.getLongValue();
                }
                case "documents" -> {
                    expect(value, JsonToken.START_ARRAY, "documents");
                    documents = new TreeMap<>(KeyOrder.COMPARATOR);
                    while (parser.nextToken() != JsonToken.END_ARRAY) {
                        Document document = readDocument(parser);
                        if (documents.put(document.key(), document) != null) {
                            throw new CorruptSnapshotException("key '" + document.key() + "' appears twice");
                        }
                    }
                }
                default -> throw new CorruptSnapshotException("unknown field '" + field + "'");
            }
        }
        if (!FORMAT.equals(format)) {
            throw new CorruptSnapshotException("format must be \"" + FORMAT + "\", was " + (format == null ? "missing" : "\"" + format + "\""));
        }
        if (seq < 0 || documents == null) {
            throw new CorruptSnapshotException("a snapshot needs a seq >= 0 and documents");
        }
        return new Snapshot(seq, documents);
    }

    private static Document readDocument(JsonParser parser) throws IOException, CorruptSnapshotException {
        expect(parser.currentToken(), JsonToken.START_OBJECT, "a document entry");
        String key = null;
        long rev = -1;
        byte[] body = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (field) {
                case "key" -> {
                    expect(value, JsonToken.VALUE_STRING, "key");
                    key = parser.getText();
                }
                case "rev" -> {
                    expect(value, JsonToken.VALUE_NUMBER_INT, "rev");
                    rev = parser.getLongValue();
                }
                case "doc" -> {
                    expect(value, JsonToken.START_OBJECT, "doc");
                    body = Json.copyObject(parser);
                }
                default -> throw new CorruptSnapshotException("unknown field '" + field + "' in a document entry");
            }
        }
        if (key == null || key.isEmpty() || rev < 1 || body == null) {
            throw new CorruptSnapshotException("a document entry needs a key, a rev >= 1 and a doc"
                    + (key == null ? "" : " (key '" + key + "')"));
        }
        return new Document(key, rev, body);
    }

    private static void expect(JsonToken actual, JsonToken expected, String what) throws CorruptSnapshotException {
        if (actual != expected) {
            throw new CorruptSnapshotException(what + ": expected " + expected + ", found " + actual);
        }
    }

    /** The snapshot file is not a valid snapshot. */
    static final class CorruptSnapshotException extends Exception {
        private static final long serialVersionUID = 1L;

        CorruptSnapshotException(String message) {
            super(message);
        }
    }
}
