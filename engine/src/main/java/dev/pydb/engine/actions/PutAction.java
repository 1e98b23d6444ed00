package dev.pydb.engine.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import dev.pydb.api.action.RequestContext;

/**
 * PUT ({@code db}, {@code key}, {@code doc}, {@code rev}?): upsert; with {@code rev} a
 * compare-and-set ({@code 0}: the key must not exist), {@code CONFLICT} otherwise.
 * Result {@code {"key", "rev"}}.
 */
public final class PutAction implements ActionHandler {
    @Override
    public String action() {
        return "PUT";
    }

    @Override
    public Permission permission() {
        return Permission.WRITE;
    }

    @Override
    public JsonNode handle(RequestContext context, ObjectNode request) {
        return WriteRequests.result(context.json(), WriteRequests.writeOne(context.storage(), context.database(),
                WriteRequests.put(context, request)));
    }
}
