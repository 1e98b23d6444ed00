package dev.pydb.storage.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.pydb.api.storage.Document;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Encodes a {@link LogRecord} as one line of the log, and back. A line is a JSON object:
 * <pre>{"crc":"1c291ca3","batch":{"seq":7,"changes":[{"op":"put","key":"k","rev":2,"doc":{…}},{"op":"delete","key":"j"}]}}</pre>
 * followed by {@code \n}. {@code crc} is the CRC32 (8 lower-case hex digits) of the exact UTF-8
 * bytes of the {@code batch} value. Document bodies are stored compact, so a line never holds a
 * raw newline.
 */
final class LogCodec {
    private static final byte[] PREFIX = "{\"crc\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MIDDLE = "\",\"batch\":".getBytes(StandardCharsets.US_ASCII);
    private static final int CRC_DIGITS = 8;
    private static final int HEADER_LENGTH = PREFIX.length + CRC_DIGITS + MIDDLE.length;
    private static final HexFormat HEX = HexFormat.of();

    private LogCodec() {}

    /** The line for {@code record}, newline included. */
    static byte[] encode(LogRecord record) {
        ByteArrayOutputStream batch = new ByteArrayOutputStream(256);
        try (JsonGenerator generator = Json.FACTORY.createGenerator(batch)) {
            generator.writeStartObject();
            generator.writeNumberField("seq", record.seq());
            generator.writeArrayFieldStart("changes");
            for (Change change : record.changes()) {
                generator.writeStartObject();
                switch (change) {
                    case Change.Store store -> {
                        Document document = store.document();
                        generator.writeStringField("op", "put");
                        generator.writeStringField("key", document.key());
                        generator.writeNumberField("rev", document.rev());
                        generator.writeFieldName("doc");
                        generator.writeRawValue(new String(document.body(), StandardCharsets.UTF_8));
                    }
                    case Change.Remove remove -> {
                        generator.writeStringField("op", "delete");
                        generator.writeStringField("key", remove.key());
                    }
                }
                generator.writeEndObject();
            }
            generator.writeEndArray();
            generator.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] batchBytes = batch.toByteArray();
        ByteArrayOutputStream line = new ByteArrayOutputStream(HEADER_LENGTH + batchBytes.length + 2);
        line.writeBytes(PREFIX);
        line.writeBytes(HEX.toHexDigits((int) crc(batchBytes, 0, batchBytes.length)).getBytes(StandardCharsets.US_ASCII));
        line.writeBytes(MIDDLE);
        line.writeBytes(batchBytes);
        line.write('}');
        line.write('\n');
        return line.toByteArray();
    }

    /**
     * Decodes one line (without its newline).
     *
     * @throws DamagedLineException if the framing or the checksum is wrong (a torn write looks
     *     like this)
     * @throws CorruptRecordException if the checksum is right but the content is not a valid
     *     record (never the result of a torn write)
     */
    static LogRecord decode(byte[] line, int length) throws DamagedLineException, CorruptRecordException {
        if (length < HEADER_LENGTH + 2
                || !Arrays.equals(line, 0, PREFIX.length, PREFIX, 0, PREFIX.length)
                || !Arrays.equals(line, PREFIX.length + CRC_DIGITS, HEADER_LENGTH, MIDDLE, 0, MIDDLE.length)
                || line[length - 1] != '}') {
            throw new DamagedLineException("not a log line");
        }
        long expected;
        try {
            expected = HexFormat.fromHexDigits(new String(line, PREFIX.length, CRC_DIGITS, StandardCharsets.US_ASCII)) & 0xFFFFFFFFL;
        } catch (IllegalArgumentException e) {
            throw new DamagedLineException("the crc is not 8 hex digits");
        }
        int batchLength = length - 1 - HEADER_LENGTH;
        long actual = crc(line, HEADER_LENGTH, batchLength);
        if (actual != expected) {
            throw new DamagedLineException("crc mismatch: the line says " + HEX.toHexDigits((int) expected)
                    + ", its content has " + HEX.toHexDigits((int) actual));
        }
        try (JsonParser parser = Json.FACTORY.createParser(line, HEADER_LENGTH, batchLength)) {
            LogRecord record = readBatch(parser);
            if (parser.nextToken() != null) {
                throw new CorruptRecordException("content after the batch object");
            }
            return record;
        } catch (JsonProcessingException e) {
            throw new CorruptRecordException("invalid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static LogRecord readBatch(JsonParser parser) throws IOException, CorruptRecordException {
        expect(parser.nextToken(), JsonToken.START_OBJECT, "batch");
        long seq = -1;
        List<Change> changes = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (field) {
                case "seq" -> {
                    expect(value, JsonToken.VALUE_NUMBER_INT, "seq");
                    seq = parser.getLongValue();
                }
                case "changes" -> {
                    expect(value, JsonToken.START_ARRAY, "changes");
                    changes = new ArrayList<>();
                    while (parser.nextToken() != JsonToken.END_ARRAY) {
                        changes.add(readChange(parser));
                    }
                }
                default -> throw new CorruptRecordException("unknown field '" + field + "' in a batch");
            }
        }
        if (seq < 1 || changes == null) {
            throw new CorruptRecordException("a batch needs a seq >= 1 and changes");
        }
        return new LogRecord(seq, changes);
    }

    private static Change readChange(JsonParser parser) throws IOException, CorruptRecordException {
        expect(parser.currentToken(), JsonToken.START_OBJECT, "change");
        String op = null;
        String key = null;
        long rev = -1;
        byte[] doc = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (field) {
                case "op" -> {
                    expect(value, JsonToken.VALUE_STRING, "op");
                    op = parser.getText();
                }
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
                    doc = Json.copyObject(parser);
                }
                default -> throw new CorruptRecordException("unknown field '" + field + "' in a change");
            }
        }
        if (key == null || key.isEmpty()) {
            throw new CorruptRecordException("a change needs a key");
        }
        if ("put".equals(op) && rev >= 1 && doc != null) {
            return new Change.Store(new Document(key, rev, doc));
        }
        if ("delete".equals(op) && rev == -1 && doc == null) {
            return new Change.Remove(key);
        }
        throw new CorruptRecordException("invalid change of key '" + key + "'");
    }

    private static void expect(JsonToken actual, JsonToken expected, String what) throws CorruptRecordException {
        if (actual != expected) {
            throw new CorruptRecordException(what + ": expected " + expected + ", found " + actual);
        }
    }

    private static long crc(byte[] bytes, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, offset, length);
        return crc.getValue();
    }

    /** A line whose framing or checksum is wrong. */
    static final class DamagedLineException extends Exception {
        private static final long serialVersionUID = 1L;

        DamagedLineException(String message) {
            super(message);
        }
    }

    /** A line with a correct checksum whose content is not a valid record. */
    static final class CorruptRecordException extends Exception {
        private static final long serialVersionUID = 1L;

        CorruptRecordException(String message) {
            super(message);
        }
    }
}
