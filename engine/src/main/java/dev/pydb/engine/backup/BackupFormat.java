package dev.pydb.engine.backup;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.pydb.api.storage.Document;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.CRC32C;

/**
 * The backup folder's format (docs/BACKUP.md): {@value #MANIFEST} (written last, so a folder
 * without it is an unfinished backup) and one JSON-lines file {@code <db>.jsonl} per database, a
 * document per line in key order:
 *
 * <pre>{"key":"u1","rev":3,"crc32c":123456789,"doc":{...the stored body, byte for byte...}}</pre>
 *
 * {@code crc32c} is the CRC32C of the body's bytes; the manifest holds each file's document count,
 * byte size and SHA-256. Backend-neutral: any storage with an importer loads it.
 */
public final class BackupFormat {
    public static final String FORMAT = "pydb-backup";
    public static final int FORMAT_VERSION = 1;
    public static final String MANIFEST = "manifest.json";
    public static final String SUFFIX = ".jsonl";

    private static final JsonFactory FACTORY = new JsonFactory();
    private static final byte[] KEY_FIELD = "{\"key\":".getBytes(UTF_8);

    private BackupFormat() {}

    /** The file of database {@code db} (names are {@code [A-Za-z0-9_-]}, safe as file names). */
    public static String fileOf(String db) {
        return db + SUFFIX;
    }

    public static long crc32c(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return crc.getValue();
    }

    /** One line, with its {@code \n}. */
    public static byte[] encode(Document document) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(document.body().length + document.key().length() + 64);
        try {
            out.write(KEY_FIELD);
            try (JsonGenerator generator = FACTORY.createGenerator(out)) {
                generator.writeString(document.key());
            }
            out.write((",\"rev\":" + document.rev() + ",\"crc32c\":" + crc32c(document.body()) + ",\"doc\":")
                    .getBytes(UTF_8));
            out.write(document.body());
            out.write('}');
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Decodes one line (without its {@code \n}); {@link BackupDamageException} if it is not a
     * well-formed line, its body is not a JSON object or it fails its checksum.
     */
    public static Document decode(byte[] line, int length) {
        String key = null;
        long rev = 0;
        Long crc = null;
        int bodyStart = -1;
        int bodyEnd = -1;
        try (JsonParser parser = FACTORY.createParser(line, 0, length)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new BackupDamageException("not a JSON object");
            }
            for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT; token = parser.nextToken()) {
                if (token != JsonToken.FIELD_NAME) {
                    throw new BackupDamageException("malformed line");
                }
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "key" -> {
                        if (value != JsonToken.VALUE_STRING) {
                            throw new BackupDamageException("key is not a string");
                        }
                        key = parser.getText();
                    }
                    case "rev" -> {
                        if (value != JsonToken.VALUE_NUMBER_INT) {
                            throw new BackupDamageException("rev is not an integer");
                        }
                        rev = parser.getLongValue();
                    }
                    case "crc32c" -> {
                        if (value != JsonToken.VALUE_NUMBER_INT) {
                            throw new BackupDamageException("crc32c is not an integer");
                        }
                        crc = parser.getLongValue();
                    }
                    case "doc" -> {
                        if (value != JsonToken.START_OBJECT) {
                            throw new BackupDamageException("doc is not a JSON object");
                        }
                        bodyStart = (int) parser.currentTokenLocation().getByteOffset();
                        parser.skipChildren();
                        bodyEnd = (int) parser.currentLocation().getByteOffset();
                    }
                    default -> throw new BackupDamageException("unknown field '" + field + "'");
                }
            }
            if (parser.nextToken() != null) {
                throw new BackupDamageException("text after the line's object");
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BackupDamageException("not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (key == null || rev < 1 || crc == null || bodyStart < 0) {
            throw new BackupDamageException("a line needs key, rev >= 1, crc32c and doc");
        }
        byte[] body = java.util.Arrays.copyOfRange(line, bodyStart, bodyEnd);
        if (crc32c(body) != crc) {
            throw new BackupDamageException("document '" + key + "' fails its checksum");
        }
        return new Document(key, rev, body);
    }

    /** A damaged backup file. */
    public static final class BackupDamageException extends RuntimeException {
        public BackupDamageException(String message) {
            super(message);
        }
    }
}
