package dev.pydb.engine.actions;

import static dev.pydb.api.action.RequestFields.requiredString;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.Names;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import dev.pydb.api.action.RequestContext;

/**
 * DROP_DB ({@code db}): drops a database and its documents; {@code DB_NOT_FOUND} if absent.
 * Result {@code {"db", "dropped": true}}. Admin only.
 */
public final class DropDbAction implements ActionHandler {
    @Override
    public String action() {
        return "DROP_DB";
    }

    @Override
    public Permission permission() {
        return Permission.ADMIN;
    }

    @Override
    public JsonNode handle(RequestContext context, ObjectNode request) {
        String db = Names.requireDatabaseName(requiredString(request, "db"));
        context.storage().dropDatabase(db);
        ObjectNode result = context.json().createObjectNode();
        result.put("db", db);
        result.put("dropped", true);
        return result;
    }
}
