package dev.pydb.engine.actions;

import static dev.pydb.api.action.RequestFields.requiredString;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.Names;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import dev.pydb.api.action.RequestContext;

/** CREATE_DB ({@code db}): creates an empty database; {@code DB_EXISTS} if it exists. Result {@code {"db"}}. Admin only. */
public final class CreateDbAction implements ActionHandler {
    @Override
    public String action() {
        return "CREATE_DB";
    }

    @Override
    public Permission permission() {
        return Permission.ADMIN;
    }

    @Override
    public JsonNode handle(RequestContext context, ObjectNode request) {
        String db = Names.requireDatabaseName(requiredString(request, "db"));
        context.storage().createDatabase(db);
        ObjectNode result = context.json().createObjectNode();
        result.put("db", db);
        return result;
    }
}
