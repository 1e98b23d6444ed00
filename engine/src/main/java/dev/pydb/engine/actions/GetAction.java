package dev.pydb.engine.actions;

import static dev.pydb.api.action.RequestFields.requiredString;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.Names;
import dev.pydb.api.PydbException;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import dev.pydb.api.action.RequestContext;
import dev.pydb.api.storage.Document;
import dev.pydb.engine.dispatch.NonBlockingAction;

/** GET ({@code db}, {@code key}): result {@code {"key", "rev", "doc"}}; {@code NOT_FOUND} if absent. */
public final class GetAction implements ActionHandler, NonBlockingAction {
    @Override
    public String action() {
        return "GET";
    }

    @Override
    public Permission permission() {
        return Permission.READ;
    }

    @Override
    public JsonNode handle(RequestContext context, ObjectNode request) {
        String db = context.database();
        String key = Names.requireKey(requiredString(request, "key"));
        Document document = context.storage().get(db, key).orElseThrow(() -> PydbException.notFound(db, key));
        return DocumentBodies.entry(context.json(), document);
    }
}
