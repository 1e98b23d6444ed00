package dev.pydb.storage.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.pydb.api.storage.Document;
import dev.pydb.storage.toolkit.wal.CorruptRecordException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The payload of the json backend's write-ahead log records: one committed batch of one database,
 * as one line of compact JSON (the log frames and checksums it):
 * <pre>{"db":"shop","changes":[{"op":"put","key":"k","rev":2,"doc":{…}},{"op":"delete","key":"j"}]}</pre>
 * A change records the result of the batch for a key, never the operation: a {@code put} carries
 * the new revision and the full body, a {@code delete} only the key.
 */
final class BatchCodec {
    private static final byte[] DB = "{\"db\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHANGES = ",\"changes\":[".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PUT = "{\"op\":\"put\",\"key\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REV = ",\"rev\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DOC = ",\"doc\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DELETE = "{\"op\":\"delete\",\"key\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "]}".getBytes(StandardCharsets.US_ASCII);

    private BatchCodec() {}

    /** A decoded batch: the database and each key's new document (null: removed), in order. */
    record Batch(String database, Map<String, Document> changes) {}

    static ByteBuffer encode(String database, Map<String, Document> changes) {
        int size = 64;
        for (Document document : changes.values()) {
            size += 64 + (document == null ? 0 : document.body().length);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        out.writeBytes(DB);
        writeString(out, database);
        out.writeBytes(CHANGES);
        boolean first = true;
        for (Map.Entry<String, Document> change : changes.entrySet()) {
            if (!first) {
                out.write(',');
            }
            first = false;
            Document document = change.getValue();
            if (document == null) {
                out.writeBytes(DELETE);
                writeString(out, change.getKey());
            } else {
                out.writeBytes(PUT);
                writeString(out, document.key());
                out.writeBytes(REV);
                out.writeBytes(Long.toString(document.rev()).getBytes(StandardCharsets.US_ASCII));
                out.writeBytes(DOC);
                out.writeBytes(document.body());
            }
            out.write('}');
        }
        out.writeBytes(END);
        return ByteBuffer.wrap(out.toByteArray());
    }

    static Batch decode(byte[] payload) throws CorruptRecordException {
        try (JsonParser parser = Json.FACTORY.createParser(payload)) {
            Batch batch = read(parser);
            if (parser.nextToken() != null) {
                throw new CorruptRecordException("content after the batch object");
            }
            return batch;
        } catch (JsonProcessingException e) {
            throw new CorruptRecordException("invalid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Batch read(JsonParser parser) throws IOException, CorruptRecordException {
        expect(parser.nextToken(), JsonToken.START_OBJECT, "batch");
        String database = null;
        Map<String, Document> changes = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (field) {
                case "db" -> {
                    expect(value, JsonToken.VALUE_STRING, "db");
                    database = parser.getText();
                }
                case "changes" -> {
                    expect(value, JsonToken.START_ARRAY, "changes");
                    changes = readChanges(parser);
                }
                default -> throw new CorruptRecordException("unknown field '" + field + "' in a batch");
            }
        }
        if (database == null || changes == null) {
            throw new CorruptRecordException("a batch needs a db and changes");
        }
        return new Batch(database, changes);
    }

    /** Reads the changes of a {@code changes} array whose {@code START_ARRAY} the parser is at (also 0.1.0's {@code log.jsonl}). */
    static Map<String, Document> readChanges(JsonParser parser) throws IOException, CorruptRecordException {
        Map<String, Document> changes = new LinkedHashMap<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            readChange(parser, changes);
        }
        return changes;
    }

    private static final Set<String> CHANGE_FIELDS = Set.of("op", "key", "rev", "doc");

    private static void readChange(JsonParser parser, Map<String, Document> changes) throws IOException, CorruptRecordException {
        Json.Entry change;
        try {
            change = Json.readEntry(parser, CHANGE_FIELDS);
        } catch (Json.InvalidEntryException e) {
            throw new CorruptRecordException("a change: " + e.getMessage());
        }
        String key = change.key();
        if (key == null || key.isEmpty()) {
            throw new CorruptRecordException("a change needs a key");
        }
        if ("put".equals(change.op()) && change.rev() >= 1 && change.doc() != null) {
            changes.put(key, new Document(key, change.rev(), change.doc()));
        } else if ("delete".equals(change.op()) && change.rev() == -1 && change.doc() == null) {
            changes.put(key, null);
        } else {
            throw new CorruptRecordException("invalid change of key '" + key + "'");
        }
    }

    private static void writeString(ByteArrayOutputStream out, String value) {
        out.write('"');
        out.writeBytes(JsonStringEncoder.getInstance().quoteAsUTF8(value));
        out.write('"');
    }

    static void expect(JsonToken actual, JsonToken expected, String what) throws CorruptRecordException {
        if (actual != expected) {
            throw new CorruptRecordException(what + ": expected " + expected + ", found " + actual);
        }
    }
}
