package dev.pydb.storage.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import dev.pydb.storage.toolkit.file.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * {@code <storage.path>/checkpoint.json}: the log record up to which every database's
 * {@code snapshot.json} holds every change (a database's snapshot may hold more, its own
 * {@code seq} says how much). Replay starts after it; the write-ahead log keeps every record after
 * it. Written (atomically) only once the snapshots it vouches for are durable. Absent: 0.
 * <pre>{ "format" : "pydb-json-checkpoint/1", "seq" : 1234 }</pre>
 */
final class CheckpointFile {
    static final String FILE_NAME = "checkpoint.json";
    static final String TEMP_FILE_NAME = "checkpoint.json.tmp";
    static final String FORMAT = "pydb-json-checkpoint/1";

    private CheckpointFile() {}

    static long read(Path root) throws IOException, SnapshotFile.CorruptSnapshotException {
        Path file = root.resolve(FILE_NAME);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return 0;
        }
        try (JsonParser parser = Json.FACTORY.createParser(bytes)) {
            String format = null;
            long seq = -1;
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new SnapshotFile.CorruptSnapshotException(file + " is not a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("format".equals(field) && value == JsonToken.VALUE_STRING) {
                    format = parser.getText();
                } else if ("seq".equals(field) && value == JsonToken.VALUE_NUMBER_INT) {
                    seq = parser.getLongValue();
                } else {
                    throw new SnapshotFile.CorruptSnapshotException(file + ": unexpected field '" + field + "'");
                }
            }
            if (!FORMAT.equals(format) || seq < 0 || parser.nextToken() != null) {
                throw new SnapshotFile.CorruptSnapshotException(file + " needs \"format\": \"" + FORMAT + "\" and a \"seq\" >= 0");
            }
            return seq;
        } catch (JsonProcessingException e) {
            throw new SnapshotFile.CorruptSnapshotException(file + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    static void write(Path root, long seq) throws IOException {
        DurableFiles.replaceAtomically(root.resolve(FILE_NAME), root.resolve(TEMP_FILE_NAME), out -> {
            try (JsonGenerator generator = Json.FACTORY.createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
                    .setPrettyPrinter(new DefaultPrettyPrinter())) {
                generator.writeStartObject();
                generator.writeStringField("format", FORMAT);
                generator.writeNumberField("seq", seq);
                generator.writeEndObject();
                generator.writeRaw('\n');
            }
        });
    }
}
