package dev.pydb.engine.backup;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.Names;
import dev.pydb.api.query.FieldPath;
import dev.pydb.api.storage.IndexSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A backup's {@value BackupFormat#MANIFEST}: when and from what it was taken, and per database its
 * file, document count, byte size, SHA-256 and index definitions.
 */
public record BackupManifest(Instant createdAt, String serverVersion, String provider, List<DatabaseEntry> databases) {
    public BackupManifest {
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(serverVersion, "serverVersion is null");
        requireNonNull(provider, "provider is null");
        databases = List.copyOf(databases);
    }

    /** One database of the backup. */
    public record DatabaseEntry(String name, String file, long documents, long bytes, String sha256, List<IndexSpec> indexes) {
        public DatabaseEntry {
            requireNonNull(name, "name is null");
            requireNonNull(file, "file is null");
            requireNonNull(sha256, "sha256 is null");
            indexes = List.copyOf(indexes);
        }
    }

    /** The documents of all databases. */
    public long documents() {
        return databases.stream().mapToLong(DatabaseEntry::documents).sum();
    }

    /** The bytes of all database files. */
    public long bytes() {
        return databases.stream().mapToLong(DatabaseEntry::bytes).sum();
    }

    public ObjectNode toJson(ObjectMapper json) {
        ObjectNode root = json.createObjectNode();
        root.put("format", BackupFormat.FORMAT);
        root.put("format_version", BackupFormat.FORMAT_VERSION);
        root.put("created_at", createdAt.toString());
        root.put("server_version", serverVersion);
        root.put("provider", provider);
        root.put("documents", documents());
        ArrayNode list = root.putArray("databases");
        for (DatabaseEntry db : databases) {
            ObjectNode node = list.addObject();
            node.put("name", db.name());
            node.put("file", db.file());
            node.put("documents", db.documents());
            node.put("bytes", db.bytes());
            node.put("sha256", db.sha256());
            ArrayNode indexes = node.putArray("indexes");
            for (IndexSpec index : db.indexes()) {
                indexes.addObject().put("field", index.field().dotted()).put("unique", index.unique())
                        .put("ttl_seconds", index.ttlSeconds());
            }
        }
        return root;
    }

    /** Reads a manifest; {@link BackupFormat.BackupDamageException} naming what is wrong. */
    public static BackupManifest fromJson(JsonNode root) {
        if (root == null || !root.isObject() || !BackupFormat.FORMAT.equals(root.path("format").asText(null))) {
            throw new BackupFormat.BackupDamageException("not a py_db backup manifest (no \"format\": \""
                    + BackupFormat.FORMAT + "\")");
        }
        int version = root.path("format_version").asInt(-1);
        if (version != BackupFormat.FORMAT_VERSION) {
            throw new BackupFormat.BackupDamageException("backup format version " + version + " is not supported (this"
                    + " server reads version " + BackupFormat.FORMAT_VERSION + ")");
        }
        try {
            List<DatabaseEntry> databases = new ArrayList<>();
            for (JsonNode node : required(root, "databases")) {
                String name = required(node, "name").asText();
                if (!Names.isValidDatabaseName(name)) {
                    throw new BackupFormat.BackupDamageException("invalid database name '" + name + "' in the manifest");
                }
                List<IndexSpec> indexes = new ArrayList<>();
                for (JsonNode index : node.path("indexes")) {
                    indexes.add(new IndexSpec(FieldPath.parse(required(index, "field").asText(), "the manifest"),
                            index.path("unique").asBoolean(false), index.path("ttl_seconds").asLong(0)));
                }
                String file = required(node, "file").asText();
                if (!file.equals(BackupFormat.fileOf(name))) {
                    throw new BackupFormat.BackupDamageException("database '" + name + "' has file '" + file + "', expected '"
                            + BackupFormat.fileOf(name) + "'");
                }
                databases.add(new DatabaseEntry(name, file, required(node, "documents").asLong(),
                        required(node, "bytes").asLong(), required(node, "sha256").asText(), indexes));
            }
            return new BackupManifest(Instant.parse(required(root, "created_at").asText()),
                    required(root, "server_version").asText(), required(root, "provider").asText(), databases);
        } catch (RuntimeException e) {
            if (e instanceof BackupFormat.BackupDamageException) {
                throw e;
            }
            throw new BackupFormat.BackupDamageException("invalid manifest: " + e.getMessage());
        }
    }

    private static JsonNode required(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new BackupFormat.BackupDamageException("the manifest lacks \"" + field + "\"");
        }
        return value;
    }
}
