package dev.pydb.engine.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import dev.pydb.api.action.RequestContext;
import dev.pydb.api.query.Filter;
import dev.pydb.engine.dispatch.NonBlockingAction;

/**
 * COUNT ({@code db}, {@code filter}?, {@code explain}?): the number of documents matching
 * {@code filter} (all without one: the storage's own count). The storage counts through its query
 * capability when it has one, else the engine scans ({@link QueryRunner}). With
 * {@code explain: true} the result is {@code {"count": n, "explain": {…}}} instead of the number.
 */
public final class CountAction implements ActionHandler, NonBlockingAction {
    @Override
    public String action() {
        return "COUNT";
    }

    @Override
    public Permission permission() {
        return Permission.READ;
    }

    @Override
    public JsonNode handle(RequestContext context, ObjectNode request) {
        String db = context.database();
        Filter filter = Filter.parse(request.get("filter"));
        boolean explain = QueryRunner.explain(request);
        QueryRunner.Count count = QueryRunner.count(context.storage(), context.json(), db, filter, explain);
        if (!explain) {
            return LongNode.valueOf(count.count());
        }
        ObjectNode result = context.json().createObjectNode();
        result.put("count", count.count());
        result.set("explain", QueryRunner.explainJson(context.json(), count.plan(), count.byStorage(), count.count(),
                count.nanos()));
        return result;
    }
}
