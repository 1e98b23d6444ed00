package dev.pydb.engine.actions;

import static dev.pydb.api.action.RequestFields.optionalString;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Limits;
import dev.pydb.api.action.Permission;
import dev.pydb.api.action.RequestContext;
import dev.pydb.api.query.Filter;
import dev.pydb.api.query.Query;
import dev.pydb.engine.dispatch.NonBlockingAction;
import java.math.BigInteger;
import java.util.List;

/**
 * FIND ({@code db}, {@code filter}?, {@code limit}?, {@code after}?): one page of the documents
 * matching {@code filter} (see {@link Filter}) in key order, starting after the key
 * {@code after}. Result {@code {"docs": [{"key", "rev", "doc"}…], "next": key|null}}: {@code next}
 * is the last returned key when more documents may follow (pass it as {@code after}), else
 * {@code null}. {@code limit} defaults to 100; over the maximum (10 000) is
 * {@code LIMIT_EXCEEDED}, below 1 {@code BAD_REQUEST}. The storage answers through its query
 * capability (an index, a pushdown) when it has one, else the engine scans ({@link QueryRunner});
 * with {@code explain: true} the result also carries {@code explain}, the plan that ran.
 */
public final class FindAction implements ActionHandler, NonBlockingAction {
    /** Documents read from the storage per scan call when a filter is given (and the engine scans). */
    static final int SCAN_CHUNK = QueryRunner.SCAN_CHUNK;

    @Override
    public String action() {
        return "FIND";
    }

    @Override
    public Permission permission() {
        return Permission.READ;
    }

    @Override
    public JsonNode handle(RequestContext context, ObjectNode request) {
        String db = context.database();
        int limit = limit(request, context.limits());
        String after = optionalString(request, "after").orElse(null);
        Filter filter = Filter.parse(request.get("filter"));
        boolean explain = QueryRunner.explain(request);

        QueryRunner.Page page = QueryRunner.find(context.storage(), context.json(), db,
                new Query(filter, after, limit, List.of(), explain));
        ObjectNode result = context.json().createObjectNode();
        ArrayNode docs = result.putArray("docs");
        for (QueryRunner.Match match : page.matches()) {
            ObjectNode entry = docs.addObject();
            entry.put("key", match.document().key());
            entry.put("rev", match.document().rev());
            entry.set("doc", match.body());
        }
        if (page.next() != null) {
            result.put("next", page.next());
        } else {
            result.putNull("next");
        }
        if (explain) {
            result.set("explain", QueryRunner.explainJson(context.json(), page.plan(), page.byStorage(),
                    page.matches().size(), page.nanos()));
        }
        return result;
    }

    private static int limit(ObjectNode request, Limits limits) {
        JsonNode value = request.get("limit");
        if (value == null || value.isNull()) {
            return limits.defaultFindLimit();
        }
        if (!value.isIntegralNumber()) {
            throw PydbException.badRequest("field 'limit' must be an integer");
        }
        BigInteger limit = value.bigIntegerValue();
        if (limit.signum() < 1) {
            throw PydbException.badRequest("field 'limit' must be at least 1");
        }
        if (limit.compareTo(BigInteger.valueOf(limits.maxFindLimit())) > 0) {
            throw new PydbException(ErrorCode.LIMIT_EXCEEDED, "field 'limit' is over the maximum of "
                    + limits.maxFindLimit());
        }
        return limit.intValueExact();
    }
}
