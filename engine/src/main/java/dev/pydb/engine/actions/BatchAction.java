package dev.pydb.engine.actions;

import static dev.pydb.api.action.RequestFields.requiredString;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import dev.pydb.api.action.RequestContext;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.api.storage.WriteResult;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * BATCH ({@code db}, {@code ops}): applies 1 to {@code max_batch_ops} writes atomically, all or
 * none. Each op is {@code {"action": "PUT"|"INSERT"|"UPDATE"|"DELETE", …}} with the fields of
 * that action ({@code key}, {@code doc} or {@code patch}, {@code rev}?; INSERT may omit
 * {@code key}). Every op is validated before anything is written; an invalid op, like a failing
 * one, fails the batch with its error and the detail {@code index} (0-based). Result
 * {@code {"results": [...]}}, one element per op shaped like the single action's result.
 */
public final class BatchAction implements ActionHandler {
    private final KeyGenerator keys;

    public BatchAction() {
        this(new KeyGenerator(Clock.systemUTC(), new SecureRandom()));
    }

    BatchAction(KeyGenerator keys) {
        this.keys = keys;
    }

    @Override
    public String action() {
        return "BATCH";
    }

    @Override
    public Permission permission() {
        return Permission.WRITE;
    }

    @Override
    public JsonNode handle(RequestContext context, ObjectNode request) {
        String db = context.database();
        JsonNode ops = request.get("ops");
        if (ops == null || !ops.isArray()) {
            throw PydbException.badRequest("missing field 'ops' (an array of operations)");
        }
        if (ops.isEmpty()) {
            throw PydbException.badRequest("field 'ops' must hold at least one operation");
        }
        int max = context.limits().maxBatchOps();
        if (ops.size() > max) {
            throw new PydbException(ErrorCode.LIMIT_EXCEEDED, "batch has " + ops.size() + " operations, the limit is " + max);
        }
        List<WriteOp> writes = new ArrayList<>(ops.size());
        for (int index = 0; index < ops.size(); index++) {
            try {
                writes.add(toWriteOp(context, ops.get(index)));
            } catch (PydbException e) {
                throw e.withDetail("index", index);
            }
        }
        List<WriteResult> results = context.storage().write(db, writes);
        ObjectNode result = context.json().createObjectNode();
        ArrayNode array = result.putArray("results");
        results.forEach(r -> array.add(WriteRequests.result(context.json(), r)));
        return result;
    }

    private WriteOp toWriteOp(RequestContext context, JsonNode node) {
        if (!node.isObject()) {
            throw PydbException.badRequest("a batch operation must be an object");
        }
        ObjectNode op = (ObjectNode) node;
        String action = requiredString(op, "action").toUpperCase(Locale.ROOT);
        return switch (action) {
            case "PUT" -> WriteRequests.put(context, op);
            case "INSERT" -> WriteRequests.insert(context, op, keys);
            case "UPDATE" -> WriteRequests.update(context, op);
            case "DELETE" -> WriteRequests.delete(op);
            default -> throw PydbException.badRequest("unknown batch action '" + action
                    + "' (known: PUT, INSERT, UPDATE, DELETE)");
        };
    }
}
