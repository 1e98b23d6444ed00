package dev.pydb.engine.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import dev.pydb.api.action.Principal;
import dev.pydb.api.action.RequestContext;
import dev.pydb.engine.dispatch.NonBlockingAction;

/** LIST_DBS: the names of the databases the caller may read, in key order, as an array. */
public final class ListDbsAction implements ActionHandler, NonBlockingAction {
    @Override
    public String action() {
        return "LIST_DBS";
    }

    @Override
    public Permission permission() {
        return Permission.AUTHENTICATED;
    }

    @Override
    public JsonNode handle(RequestContext context, ObjectNode request) {
        Principal principal = context.principal()
                .orElseThrow(() -> new IllegalStateException("LIST_DBS reached without a principal"));
        ArrayNode result = context.json().createArrayNode();
        context.storage().listDatabases().stream().filter(principal::canRead).forEach(result::add);
        return result;
    }
}
