package dev.pydb.engine.actions;

import static dev.pydb.api.action.RequestFields.requiredString;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.Names;
import dev.pydb.api.PydbException;
import dev.pydb.api.action.RequestContext;
import dev.pydb.api.query.FieldPath;
import dev.pydb.api.storage.IndexInfo;
import dev.pydb.api.storage.Indexes;
import dev.pydb.engine.stats.ServerInfo;

/** What CREATE_INDEX, DROP_INDEX and LIST_INDEXES share: the storage's indexes, the request's fields, the info JSON. */
final class Indexing {
    private Indexing() {}

    /** The storage's {@link Indexes}; {@code UNSUPPORTED} naming the storage provider if it has none. */
    static Indexes indexes(RequestContext context, String action) {
        return context.storage().indexes().orElseThrow(() -> {
            String provider = context.service(ServerInfo.class).map(ServerInfo::storageProvider).orElse("(unknown)");
            return new PydbException(ErrorCode.UNSUPPORTED, "storage '" + provider
                    + "' does not support secondary indexes (" + action + "); FIND and COUNT scan the database");
        });
    }

    /** The request's validated {@code db} (these are admin actions: the dispatcher does not read it). */
    static String database(ObjectNode request) {
        return Names.requireDatabaseName(requiredString(request, "db"));
    }

    /** The request's {@code field}: a dotted path, as filters use. */
    static FieldPath field(ObjectNode request) {
        return FieldPath.parse(requiredString(request, "field"), "field 'field'");
    }

    /**
     * {@code {"field", "options": {"unique", "ttl_seconds"}, "state", "entries",
     * "progress": {"documents_indexed", "documents_total"}, "expired_deleted", "error"}}.
     */
    static ObjectNode json(ObjectMapper json, IndexInfo info) {
        ObjectNode node = json.createObjectNode();
        node.put("field", info.spec().field().dotted());
        ObjectNode options = node.putObject("options");
        options.put("unique", info.spec().unique());
        options.put("ttl_seconds", info.spec().ttlSeconds());
        node.put("state", info.state().name());
        node.put("entries", info.entries());
        ObjectNode progress = node.putObject("progress");
        progress.put("documents_indexed", info.documentsIndexed());
        progress.put("documents_total", info.documentsTotal());
        node.put("expired_deleted", info.expiredDeleted());
        if (info.error() == null) {
            node.putNull("error");
        } else {
            node.put("error", info.error());
        }
        return node;
    }
}
