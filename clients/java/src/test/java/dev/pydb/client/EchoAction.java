package dev.pydb.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import dev.pydb.api.action.RequestContext;

/** {@code TEST_ECHO}: a test plugin action (on the class path) answering the caller's name and the request's {@code value}. */
public final class EchoAction implements ActionHandler {
    @Override
    public String action() {
        return "TEST_ECHO";
    }

    @Override
    public Permission permission() {
        return Permission.AUTHENTICATED;
    }

    @Override
    public JsonNode handle(RequestContext context, ObjectNode request) {
        return context.json().createObjectNode()
                .put("user", context.principal().orElseThrow().username())
                .set("value", request.path("value").deepCopy());
    }
}
