package dev.pydb.engine.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import dev.pydb.api.action.RequestContext;
import dev.pydb.api.query.FieldPath;

/**
 * DROP_INDEX ({@code db}, {@code field}): drops the index on the field; {@code NOT_FOUND} if there
 * is none. Result {@code {"db", "field", "dropped": true}}. Admin only; {@code UNSUPPORTED} on a
 * storage without indexes.
 */
public final class DropIndexAction implements ActionHandler {
    @Override
    public String action() {
        return "DROP_INDEX";
    }

    @Override
    public Permission permission() {
        return Permission.ADMIN;
    }

    @Override
    public JsonNode handle(RequestContext context, ObjectNode request) {
        String db = Indexing.database(request);
        FieldPath field = Indexing.field(request);
        Indexing.indexes(context, action()).drop(db, field);
        ObjectNode result = context.json().createObjectNode();
        result.put("db", db);
        result.put("field", field.dotted());
        result.put("dropped", true);
        return result;
    }
}
