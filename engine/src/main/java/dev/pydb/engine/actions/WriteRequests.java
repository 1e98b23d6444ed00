package dev.pydb.engine.actions;

import static dev.pydb.api.action.RequestFields.optionalRev;
import static dev.pydb.api.action.RequestFields.optionalString;
import static dev.pydb.api.action.RequestFields.requiredObject;
import static dev.pydb.api.action.RequestFields.requiredString;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.Names;
import dev.pydb.api.PydbException;
import dev.pydb.api.action.RequestContext;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.api.storage.WriteResult;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Builds the {@link WriteOp} of an INSERT, PUT, UPDATE or DELETE from its fields (a request or a
 * BATCH operation) and renders its result. Validation failures are {@code BAD_REQUEST} or
 * {@code LIMIT_EXCEEDED} naming the field.
 */
final class WriteRequests {
    private WriteRequests() {}

    static WriteOp insert(RequestContext context, ObjectNode fields, KeyGenerator keys) {
        String key = optionalString(fields, "key").map(Names::requireKey).orElseGet(keys::next);
        ObjectNode doc = requiredObject(fields, "doc");
        return new WriteOp.Insert(key, DocumentBodies.encode(context.json(), doc, context.limits().maxDocumentBytes()));
    }

    static WriteOp put(RequestContext context, ObjectNode fields) {
        String key = key(fields);
        ObjectNode doc = requiredObject(fields, "doc");
        byte[] body = DocumentBodies.encode(context.json(), doc, context.limits().maxDocumentBytes());
        return new WriteOp.Put(key, body, expectedRev(fields));
    }

    static WriteOp update(RequestContext context, ObjectNode fields) {
        String key = key(fields);
        ObjectNode patch = requiredObject(fields, "patch").deepCopy();
        OptionalLong rev = optionalRev(fields);
        if (rev.isPresent() && rev.getAsLong() == 0) {
            throw PydbException.badRequest("field 'rev' of an update must be a revision >= 1 (the document must exist)");
        }
        ObjectMapper json = context.json();
        int maxBytes = context.limits().maxDocumentBytes();
        String db = context.database();
        return new WriteOp.Update(key, current -> {
            JsonNode patched = MergePatch.apply(DocumentBodies.decode(json, key, current), patch);
            if (!patched.isObject()) {
                throw PydbException.badRequest("patching '" + key + "' in '" + db + "' would not leave a JSON object");
            }
            return DocumentBodies.encode(json, patched, maxBytes);
        }, rev.orElse(Storage.ANY_REVISION));
    }

    static WriteOp delete(ObjectNode fields) {
        return new WriteOp.Delete(key(fields), expectedRev(fields));
    }

    /** {@code {"key", "rev"}} for a write, {@code {"key", "deleted": true}} for a delete. */
    static ObjectNode result(ObjectMapper json, WriteResult result) {
        ObjectNode node = json.createObjectNode();
        node.put("key", result.key());
        if (result.deleted()) {
            node.put("deleted", true);
        } else {
            node.put("rev", result.rev());
        }
        return node;
    }

    /**
     * Writes one operation. A storage reports a failing operation with its batch {@code index};
     * a single action's error does not carry it.
     */
    static WriteResult writeOne(Storage storage, String db, WriteOp op) {
        try {
            return storage.write(db, List.of(op)).get(0);
        } catch (PydbException e) {
            if (!e.details().containsKey("index")) {
                throw e;
            }
            PydbException withoutIndex = new PydbException(e.code(), e.getMessage(), e.getCause());
            for (Map.Entry<String, Object> detail : e.details().entrySet()) {
                if (!detail.getKey().equals("index")) {
                    withoutIndex = withoutIndex.withDetail(detail.getKey(), detail.getValue());
                }
            }
            withoutIndex.setStackTrace(e.getStackTrace());
            throw withoutIndex;
        }
    }

    private static String key(ObjectNode fields) {
        return Names.requireKey(requiredString(fields, "key"));
    }

    private static long expectedRev(ObjectNode fields) {
        return optionalRev(fields).orElse(Storage.ANY_REVISION);
    }
}
