package dev.pydb.engine.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import dev.pydb.api.action.RequestContext;
import dev.pydb.api.storage.IndexInfo;

/**
 * LIST_INDEXES ({@code db}): the database's indexes by field, each with its options, state,
 * entries and build progress ({@link Indexing#json}). Result {@code {"db", "indexes": […]}}. Admin
 * only; {@code UNSUPPORTED} on a storage without indexes.
 */
public final class ListIndexesAction implements ActionHandler {
    @Override
    public String action() {
        return "LIST_INDEXES";
    }

    @Override
    public Permission permission() {
        return Permission.ADMIN;
    }

    @Override
    public JsonNode handle(RequestContext context, ObjectNode request) {
        String db = Indexing.database(request);
        ObjectNode result = context.json().createObjectNode();
        result.put("db", db);
        ArrayNode indexes = result.putArray("indexes");
        for (IndexInfo info : Indexing.indexes(context, action()).list(db)) {
            indexes.add(Indexing.json(context.json(), info));
        }
        return result;
    }
}
