package dev.pydb.storage.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.KeyOrder;
import dev.pydb.storage.toolkit.file.DurableFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * A database's {@code snapshot.json}: every document as of log record {@code seq}, pretty-printed,
 * each with its checksum ({@link DocumentChecksum}):
 * <pre>
 * {
 *   "format" : "pydb-json-snapshot/2",
 *   "database" : "shop",
 *   "seq" : 42,
 *   "documents" : [ { "key" : "u1", "rev" : 3, "crc" : "1c291ca3", "doc" : { … } }, … ]
 * }
 * </pre>
 * Format 1 (0.1.0) is the same without {@code crc}; it is read for the upgrade. The file is
 * replaced atomically (temporary file, fsync, rename, folder fsync).
 *
 * <p>A document whose checksum does not match (or that has none in format 2) is kept as damaged
 * ({@link DocumentDamage}); the file as a whole must still be valid JSON of this shape: otherwise no
 * document of it can be trusted to be all there is, and reading fails with
 * {@link CorruptSnapshotException} naming the position.
 */
final class SnapshotFile {
    static final String FILE_NAME = "snapshot.json";
    static final String TEMP_FILE_NAME = "snapshot.json.tmp";
    static final String FORMAT_1 = "pydb-json-snapshot/1";
    static final String FORMAT = "pydb-json-snapshot/2";

    private SnapshotFile() {}

    /**
     * A snapshot read back: its format (1 or 2), the last log record it holds, its documents and
     * the damaged ones among them, and problems that lost no document but need a look (a duplicate
     * damaged entry next to an intact one).
     */
    record Snapshot(int format, long seq, NavigableMap<String, Document> documents, Map<String, DocumentDamage> damaged,
            List<String> problems) {
        Documents toDocuments(String database) {
            return new Documents(database, documents, damaged);
        }
    }

    /** Durably replaces {@code directory/snapshot.json}; damaged documents are written back with their stored checksum. */
    static void write(Path directory, String database, long seq, NavigableMap<String, Document> documents,
            Map<String, DocumentDamage> damaged) throws IOException {
        DurableFiles.replaceAtomically(directory.resolve(FILE_NAME), directory.resolve(TEMP_FILE_NAME), out -> {
            JsonGenerator generator = Json.FACTORY.createGenerator(out)
                    .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
                    .setPrettyPrinter(new DefaultPrettyPrinter());
            generator.writeStartObject();
            generator.writeStringField("format", FORMAT);
            generator.writeStringField("database", database);
            generator.writeNumberField("seq", seq);
            generator.writeArrayFieldStart("documents");
            for (Document document : documents.values()) {
                generator.writeStartObject();
                generator.writeStringField("key", document.key());
                generator.writeNumberField("rev", document.rev());
                DocumentDamage damage = damaged.get(document.key());
                String crc = damage == null ? DocumentChecksum.of(document) : damage.storedCrc();
                if (crc != null) {
                    generator.writeStringField("crc", crc);
                }
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
        });
    }

    /** Reads a snapshot (format 1 or 2); {@link CorruptSnapshotException} if it is not a valid one. */
    static Snapshot read(Path file) throws IOException, CorruptSnapshotException {
        try (InputStream in = Files.newInputStream(file); JsonParser parser = Json.FACTORY.createParser(in)) {
            Snapshot snapshot = new Reader(file, parser).read();
            if (parser.nextToken() != null) {
                throw new CorruptSnapshotException("content after the snapshot object at offset "
                        + parser.currentTokenLocation().getByteOffset());
            }
            return snapshot;
        } catch (JsonProcessingException e) {
            long offset = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
            throw new CorruptSnapshotException("invalid JSON: " + e.getOriginalMessage() + " at "
                    + (e.getLocation() == null ? "an unknown position" : e.getLocation().offsetDescription()), offset);
        }
    }

    private static final Set<String> DOCUMENT_FIELDS = Set.of("key", "rev", "crc", "doc");

    private static final class Reader {
        private final Path file;
        private final JsonParser parser;
        private final NavigableMap<String, Document> documents = new TreeMap<>(KeyOrder.COMPARATOR);
        private final Map<String, DocumentDamage> damaged = new HashMap<>();
        private final List<String> problems = new ArrayList<>();

        Reader(Path file, JsonParser parser) {
            this.file = file;
            this.parser = parser;
        }

        Snapshot read() throws IOException, CorruptSnapshotException {
            expect(parser.nextToken(), JsonToken.START_OBJECT, "the snapshot");
            String format = null;
            long seq = -1;
            boolean sawDocuments = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "format" -> {
                        expect(value, JsonToken.VALUE_STRING, "format");
                        format = parser.getText();
                        if (!FORMAT.equals(format) && !FORMAT_1.equals(format)) {
                            throw new CorruptSnapshotException("format must be \"" + FORMAT + "\" (or \"" + FORMAT_1
                                    + "\" of 0.1.0), was \"" + format + "\"");
                        }
                    }
                    case "database" -> expect(value, JsonToken.VALUE_STRING, "database");
                    case "seq" -> {
                        expect(value, JsonToken.VALUE_NUMBER_INT, "seq");
                        seq = parser.getLongValue();
                    }
                    case "documents" -> {
                        if (format == null) {
                            throw new CorruptSnapshotException("\"format\" must come before \"documents\"");
                        }
                        expect(value, JsonToken.START_ARRAY, "documents");
                        sawDocuments = true;
                        while (parser.nextToken() != JsonToken.END_ARRAY) {
                            readDocument(FORMAT.equals(format));
                        }
                    }
                    default -> throw new CorruptSnapshotException("unknown field '" + field + "'");
                }
            }
            if (format == null || seq < 0 || !sawDocuments) {
                throw new CorruptSnapshotException("a snapshot needs a format, a seq >= 0 and documents");
            }
            return new Snapshot(FORMAT.equals(format) ? 2 : 1, seq, documents, damaged, problems);
        }

        private void readDocument(boolean checksummed) throws IOException, CorruptSnapshotException {
            long offset = parser.currentTokenLocation().getByteOffset();
            Json.Entry entry;
            try {
                entry = Json.readEntry(parser, DOCUMENT_FIELDS);
            } catch (Json.InvalidEntryException e) {
                throw new CorruptSnapshotException("the document entry at offset " + offset + ": " + e.getMessage(), offset);
            }
            String key = entry.key();
            long rev = entry.rev();
            String crc = entry.crc();
            byte[] body = entry.doc();
            if (key == null || key.isEmpty() || body == null) {
                throw new CorruptSnapshotException("the document entry at offset " + offset + " needs a key and a doc", offset);
            }
            String problem = null;
            if (rev < 1) {
                problem = "revision " + rev + " is not positive";
            } else if (checksummed && crc == null) {
                problem = "it has no crc";
            } else if (checksummed && !crc.equals(DocumentChecksum.of(key, rev, body))) {
                problem = "checksum mismatch (stored " + crc + ", its content gives " + DocumentChecksum.of(key, rev, body) + ")";
            }
            Document document = new Document(key, Math.max(rev, 1), body);
            DocumentDamage damage = problem == null ? null : new DocumentDamage(file, offset, problem, crc);
            add(document, damage);
        }

        private void add(Document document, DocumentDamage damage) throws CorruptSnapshotException {
            String key = document.key();
            Document existing = documents.get(key);
            if (existing == null) {
                documents.put(key, document);
                if (damage != null) {
                    damaged.put(key, damage);
                }
                return;
            }
            DocumentDamage existingDamage = damaged.get(key);
            if (existingDamage == null && damage == null) {
                throw new CorruptSnapshotException("key '" + key + "' appears twice");
            }
            if (existingDamage != null && damage == null) {
                documents.put(key, document);
                damaged.remove(key);
                problems.add("a damaged entry for key '" + key + "' at " + existingDamage.where() + " (" + existingDamage.problem()
                        + ") is followed by an intact one, which is kept");
            } else {
                DocumentDamage dropped = damage != null ? damage : existingDamage;
                problems.add("a damaged entry for key '" + key + "' at " + dropped.where() + " (" + dropped.problem()
                        + ") duplicates another entry, which is kept");
            }
        }

        private static void expect(JsonToken actual, JsonToken expected, String what) throws CorruptSnapshotException {
            if (actual != expected) {
                throw new CorruptSnapshotException(what + ": expected " + expected + ", found " + actual);
            }
        }
    }

    /** The snapshot file is not a valid snapshot. */
    static final class CorruptSnapshotException extends Exception {
        private static final long serialVersionUID = 1L;
        private final long offset;

        CorruptSnapshotException(String message) {
            this(message, -1);
        }

        CorruptSnapshotException(String message, long offset) {
            super(message);
            this.offset = offset;
        }

        /** The byte offset of the damage in the file, -1 if unknown. */
        long offset() {
            return offset;
        }
    }
}
