package dev.pydb.engine.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import dev.pydb.api.action.RequestContext;
import dev.pydb.api.query.Filter;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.Storage;
import dev.pydb.engine.dispatch.NonBlockingAction;
import java.util.List;

/** COUNT ({@code db}, {@code filter}?): the number of documents matching {@code filter} (all without one). */
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
        Storage storage = context.storage();
        if (filter.matchesAll()) {
            return LongNode.valueOf(storage.count(db));
        }
        long count = 0;
        String cursor = null;
        while (true) {
            List<Document> batch = storage.scan(db, cursor, FindAction.SCAN_CHUNK);
            for (Document document : batch) {
                if (filter.matches(DocumentBodies.decode(context.json(), document))) {
                    count++;
                }
            }
            if (batch.size() < FindAction.SCAN_CHUNK) {
                return LongNode.valueOf(count);
            }
            cursor = batch.get(batch.size() - 1).key();
        }
    }
}
