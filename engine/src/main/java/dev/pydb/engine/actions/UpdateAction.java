package dev.pydb.engine.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import dev.pydb.api.action.RequestContext;

/**
 * UPDATE ({@code db}, {@code key}, {@code patch}, {@code rev}?): applies {@code patch} as an
 * RFC 7386 JSON merge patch to the stored document, atomically; {@code NOT_FOUND} if absent,
 * {@code CONFLICT} if {@code rev} is given and differs. Result {@code {"key", "rev"}}.
 */
public final class UpdateAction implements ActionHandler {
    @Override
    public String action() {
        return "UPDATE";
    }

    @Override
    public Permission permission() {
        return Permission.WRITE;
    }

    @Override
    public JsonNode handle(RequestContext context, ObjectNode request) {
        return WriteRequests.result(context.json(), WriteRequests.writeOne(context.storage(), context.database(),
                WriteRequests.update(context, request)));
    }
}
