package dev.pydb.engine.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import dev.pydb.api.action.RequestContext;
import dev.pydb.engine.dispatch.NonBlockingAction;

/** PING: answers {@code "PONG"}, to anyone. */
public final class PingAction implements ActionHandler, NonBlockingAction {
    private static final TextNode PONG = TextNode.valueOf("PONG");

    @Override
    public String action() {
        return "PING";
    }

    @Override
    public Permission permission() {
        return Permission.NONE;
    }

    @Override
    public JsonNode handle(RequestContext context, ObjectNode request) {
        return PONG;
    }
}
