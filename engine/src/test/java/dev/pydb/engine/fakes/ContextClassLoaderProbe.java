package dev.pydb.engine.fakes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import dev.pydb.api.action.RequestContext;

/**
 * A handler meant to be loaded by an {@link IsolatingClassLoader}: it reports whether the thread
 * context class loader during {@code handle} is its own class loader.
 */
public final class ContextClassLoaderProbe implements ActionHandler {
    @Override
    public String action() {
        return "PROBE";
    }

    @Override
    public Permission permission() {
        return Permission.NONE;
    }

    @Override
    public JsonNode handle(RequestContext context, ObjectNode request) {
        ClassLoader tccl = Thread.currentThread().getContextClassLoader();
        return context.json().createObjectNode()
                .put("tcclIsMine", tccl == getClass().getClassLoader())
                .put("loadedByParent", getClass().getClassLoader() == ActionHandler.class.getClassLoader());
    }
}
