package dev.pydb.engine.initialdata;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pydb.api.Names;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.engine.StartupException;
import dev.pydb.engine.json.JsonSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads an initial-data file ({@code -lid}, format in {@code docs/INITIAL_DATA.md}):
 * {@code {"databases": {"<db>": {"<key>": {…document…}, …}, …}}}. Missing databases are
 * created and documents whose keys are absent are inserted; existing documents are left alone,
 * so loading a file twice changes nothing the second time. The whole file is validated before
 * anything is written; a problem fails the start naming the file and the offending entry.
 */
public final class InitialDataLoader {
    /** The largest initial-data file read (it is held in memory while loading). */
    public static final int MAX_FILE_BYTES = 256 * 1024 * 1024;

    private final ObjectMapper json;
    private final int maxDocumentBytes;
    private final int batchSize;

    /**
     * @param json             the server's mapper, used to write document bodies
     * @param maxDocumentBytes the configured document size limit
     * @param batchSize        documents per storage write (the configured batch limit)
     */
    public InitialDataLoader(ObjectMapper json, int maxDocumentBytes, int batchSize) {
        this.json = requireNonNull(json, "json is null");
        if (maxDocumentBytes <= 0 || batchSize <= 0) {
            throw new IllegalArgumentException("maxDocumentBytes and batchSize must be positive");
        }
        this.maxDocumentBytes = maxDocumentBytes;
        this.batchSize = batchSize;
    }

    public InitialDataSummary load(Path file, Storage storage) {
        requireNonNull(file, "file is null");
        requireNonNull(storage, "storage is null");
        Map<String, List<Entry>> databases = parse(file);
        int created = 0;
        long inserted = 0;
        long skipped = 0;
        try {
            for (Map.Entry<String, List<Entry>> database : databases.entrySet()) {
                String db = database.getKey();
                if (!storage.databaseExists(db)) {
                    storage.createDatabase(db);
                    created++;
                }
                List<Entry> entries = database.getValue();
                for (int from = 0; from < entries.size(); from += batchSize) {
                    List<WriteOp> inserts = new ArrayList<>();
                    for (Entry entry : entries.subList(from, Math.min(entries.size(), from + batchSize))) {
                        if (storage.get(db, entry.key()).isPresent()) {
                            skipped++;
                        } else {
                            inserts.add(new WriteOp.Insert(entry.key(), entry.body()));
                        }
                    }
                    if (!inserts.isEmpty()) {
                        storage.write(db, inserts);
                        inserted += inserts.size();
                    }
                }
            }
        } catch (PydbException e) {
            throw new StartupException("initial data " + file + ": cannot load it into the storage: " + e.getMessage(), e);
        }
        return new InitialDataSummary(created, inserted, skipped);
    }

    private Map<String, List<Entry>> parse(Path file) {
        JsonNode root = readTree(file);
        if (!root.isObject()) {
            throw invalid(file, "the file must hold a JSON object {\"databases\": {...}}");
        }
        Iterator<String> topNames = root.fieldNames();
        while (topNames.hasNext()) {
            String name = topNames.next();
            if (!name.equals("databases")) {
                throw invalid(file, "unknown key '" + name + "' (only \"databases\" is allowed)");
            }
        }
        JsonNode databases = root.get("databases");
        if (databases == null || !databases.isObject()) {
            throw invalid(file, "\"databases\" must be an object of database name to documents");
        }
        Map<String, List<Entry>> result = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> database : databases.properties()) {
            String db = database.getKey();
            if (!Names.isValidDatabaseName(db)) {
                throw invalid(file, "databases." + db + ": invalid database name (must match [A-Za-z0-9_-]{1,64})");
            }
            if (!database.getValue().isObject()) {
                throw invalid(file, "databases." + db + ": must be an object of key to document");
            }
            List<Entry> entries = new ArrayList<>();
            for (Map.Entry<String, JsonNode> document : database.getValue().properties()) {
                String where = "databases." + db + "." + document.getKey();
                entries.add(new Entry(checkKey(file, where, document.getKey()), body(file, where, document.getValue())));
            }
            result.put(db, entries);
        }
        return result;
    }

    private JsonNode readTree(Path file) {
        ObjectMapper reader = JsonSupport.mapper(MAX_FILE_BYTES);
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw invalid(file, "larger than " + MAX_FILE_BYTES + " bytes");
            }
            JsonNode root = reader.readTree(file.toFile());
            if (root == null || root.isMissingNode()) {
                throw invalid(file, "the file is empty");
            }
            return root;
        } catch (NoSuchFileException e) {
            throw invalid(file, "file not found");
        } catch (JsonProcessingException e) {
            JsonLocation where = e.getLocation();
            String position = where == null ? "" : " at line " + where.getLineNr() + ", column " + where.getColumnNr();
            throw invalid(file, "not valid JSON" + position + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw invalid(file, "cannot read it: " + e);
        }
    }

    private static String checkKey(Path file, String where, String key) {
        try {
            return Names.requireKey(key);
        } catch (PydbException e) {
            throw invalid(file, where + ": " + e.getMessage());
        }
    }

    private byte[] body(Path file, String where, JsonNode document) {
        if (!document.isObject()) {
            throw invalid(file, where + ": a document must be a JSON object");
        }
        byte[] body;
        try {
            body = json.writeValueAsBytes(document);
        } catch (JsonProcessingException e) {
            throw invalid(file, where + ": " + e.getOriginalMessage());
        }
        if (body.length > maxDocumentBytes) {
            throw invalid(file, where + ": the document is " + body.length + " bytes, the limit (server.max_document_bytes) is "
                    + maxDocumentBytes);
        }
        return body;
    }

    private static StartupException invalid(Path file, String problem) {
        return new StartupException("initial data " + file + ": " + problem);
    }

    private record Entry(String key, byte[] body) {}
}
