package dev.pydb.engine.fakes;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import dev.pydb.api.action.RequestContext;
import java.util.function.BiFunction;

/** An action handler whose behaviour is a lambda. */
public final class TestHandler implements ActionHandler {
    private final String action;
    private final Permission permission;
    private final BiFunction<RequestContext, ObjectNode, JsonNode> body;

    public TestHandler(String action, Permission permission, BiFunction<RequestContext, ObjectNode, JsonNode> body) {
        this.action = requireNonNull(action, "action is null");
        this.permission = requireNonNull(permission, "permission is null");
        this.body = requireNonNull(body, "body is null");
    }

    @Override
    public String action() {
        return action;
    }

    @Override
    public Permission permission() {
        return permission;
    }

    @Override
    public JsonNode handle(RequestContext context, ObjectNode request) {
        return body.apply(context, request);
    }
}
