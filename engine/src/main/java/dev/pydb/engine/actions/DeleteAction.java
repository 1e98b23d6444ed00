package dev.pydb.engine.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import dev.pydb.api.action.RequestContext;

/**
 * DELETE ({@code db}, {@code key}, {@code rev}?): removes the document; {@code NOT_FOUND} if
 * absent, {@code CONFLICT} if {@code rev} is given and differs. Result {@code {"key", "deleted": true}}.
 */
public final class DeleteAction implements ActionHandler {
    @Override
    public String action() {
        return "DELETE";
    }

    @Override
    public Permission permission() {
        return Permission.WRITE;
    }

    @Override
    public JsonNode handle(RequestContext context, ObjectNode request) {
        return WriteRequests.result(context.json(), WriteRequests.writeOne(context.storage(), context.database(),
                WriteRequests.delete(request)));
    }
}
