package dev.pydb.engine.fakes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import dev.pydb.api.action.RequestContext;
import dev.pydb.engine.dispatch.NonBlockingAction;

/** Action {@code QUICK} (no permission): answers "quick" and claims not to block. */
public final class NonBlockingTestHandler implements ActionHandler, NonBlockingAction {
    @Override
    public String action() {
        return "QUICK";
    }

    @Override
    public Permission permission() {
        return Permission.NONE;
    }

    @Override
    public JsonNode handle(RequestContext context, ObjectNode request) {
        return TextNode.valueOf("quick");
    }
}
