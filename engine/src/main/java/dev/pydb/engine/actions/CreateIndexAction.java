package dev.pydb.engine.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.PydbException;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import dev.pydb.api.action.RequestContext;
import dev.pydb.api.action.RequestFields;
import dev.pydb.api.query.FieldPath;
import dev.pydb.api.storage.IndexInfo;
import dev.pydb.api.storage.IndexSpec;

/**
 * CREATE_INDEX ({@code db}, {@code field}, {@code unique}?, {@code ttl_seconds}?): creates a
 * secondary index on a dotted field path and starts building it in the background; the result is
 * the index as LIST_INDEXES shows it ({@code state} {@code BUILDING} or {@code READY}). The same
 * index again returns it; another spec on the same field is {@code CONFLICT}. Admin only;
 * {@code UNSUPPORTED} on a storage without indexes.
 */
public final class CreateIndexAction implements ActionHandler {
    /** The largest {@code ttl_seconds} (as MongoDB's {@code expireAfterSeconds}: a 32-bit integer). */
    static final long MAX_TTL_SECONDS = Integer.MAX_VALUE;

    @Override
    public String action() {
        return "CREATE_INDEX";
    }

    @Override
    public Permission permission() {
        return Permission.ADMIN;
    }

    @Override
    public JsonNode handle(RequestContext context, ObjectNode request) {
        String db = Indexing.database(request);
        FieldPath field = Indexing.field(request);
        boolean unique = unique(request);
        long ttlSeconds = RequestFields.optionalLong(request, "ttl_seconds", 0, MAX_TTL_SECONDS).orElse(0);
        IndexInfo info = Indexing.indexes(context, action()).create(db, new IndexSpec(field, unique, ttlSeconds));
        return Indexing.json(context.json(), info);
    }

    private static boolean unique(ObjectNode request) {
        JsonNode value = request.get("unique");
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw PydbException.badRequest("field 'unique' must be true or false");
        }
        return value.booleanValue();
    }
}
