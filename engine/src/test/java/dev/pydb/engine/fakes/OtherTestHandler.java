package dev.pydb.engine.fakes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import dev.pydb.api.action.RequestContext;

/** A second handler class, to see both class names in duplicate-action errors. */
public final class OtherTestHandler implements ActionHandler {
    private final String action;

    public OtherTestHandler(String action) {
        this.action = action;
    }

    @Override
    public String action() {
        return action;
    }

    @Override
    public Permission permission() {
        return Permission.NONE;
    }

    @Override
    public JsonNode handle(RequestContext context, ObjectNode request) {
        return context.json().nullNode();
    }
}
