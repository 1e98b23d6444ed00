package dev.pydb.examples.incr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.Names;
import dev.pydb.api.PydbException;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import dev.pydb.api.action.RequestContext;
import dev.pydb.api.action.RequestFields;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code INCR} action: atomically adds an integer to a numeric field of a document.
 *
 * <p>Request: {@code {"action": "INCR", "db": "shop", "key": "counter", "field": "hits", "by": 5}};
 * {@code by} is an integer and defaults to 1 (it may be negative). Result:
 * {@code {"key": "counter", "rev": 8, "value": 42}}, the document's new revision and the field's
 * new value. A missing document or a missing field counts as 0, so the first INCR creates it;
 * a field holding anything but a number (including {@code null}) is {@code BAD_REQUEST}. Integer
 * fields stay exact at any size; a field holding a fraction gets a fractional sum.
 * {@code field} names a top-level field of the document.
 *
 * <p>Needs {@link Permission#WRITE} on {@code db}. The increment is a compare-and-set loop on
 * {@link Storage#get} and {@link Storage#put} with the revision read ({@code 0} when the
 * document is absent), retried when another writer got there first, so concurrent INCRs lose
 * nothing.
 */
public final class IncrHandler implements ActionHandler {
    /** How often one INCR retries after losing a race before it gives up with {@code UNAVAILABLE}. */
    static final int MAX_ATTEMPTS = 1000;

    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    @Override
    public String action() {
        return "INCR";
    }

    @Override
    public Permission permission() {
        return Permission.WRITE;
    }

    @Override
    public JsonNode handle(RequestContext context, ObjectNode request) {
        String db = context.database();
        String key = Names.requireKey(RequestFields.requiredString(request, "key"));
        String field = RequestFields.requiredString(request, "field");
        if (field.isEmpty()) {
            throw PydbException.badRequest("field 'field' must be a non-empty string");
        }
        long by = RequestFields.optionalLong(request, "by", Long.MIN_VALUE, Long.MAX_VALUE).orElse(1);

        Storage storage = context.storage();
        ObjectMapper json = context.json();
        for (int attempt = 1; ; attempt++) {
            Optional<Document> current = storage.get(db, key);
            ObjectNode document = current.map(stored -> parse(json, stored)).orElseGet(json::createObjectNode);
            JsonNode value = add(document.get(field), by, field, key);
            document.set(field, value);
            byte[] body = serialize(json, document);
            if (body.length > context.limits().maxDocumentBytes()) {
                throw new PydbException(ErrorCode.LIMIT_EXCEEDED, "document '" + key + "' would be " + body.length
                        + " bytes, the limit is " + context.limits().maxDocumentBytes());
            }
            long expectedRev = current.map(Document::rev).orElse(0L);
            try {
                long rev = storage.put(db, key, body, expectedRev);
                ObjectNode result = json.createObjectNode().put("key", key).put("rev", rev);
                result.set("value", value);
                return result;
            } catch (PydbException e) {
                if (!lostRace(e, expectedRev)) {
                    throw e;
                }
                if (attempt >= MAX_ATTEMPTS) {
                    throw new PydbException(ErrorCode.UNAVAILABLE, "INCR of '" + key + "' in '" + db
                            + "' lost to concurrent writers " + attempt + " times; retry", e);
                }
            }
        }
    }

    /** Another writer changed (or created) the document between our read and our write. */
    private static boolean lostRace(PydbException e, long expectedRev) {
        return e.code() == ErrorCode.CONFLICT || (expectedRev == 0 && e.code() == ErrorCode.KEY_EXISTS);
    }

    /** {@code current + by}; {@code null} (missing) counts as 0. */
    static JsonNode add(JsonNode current, long by, String field, String key) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        if (current == null) {
            return nodes.numberNode(by);
        }
        if (current.isIntegralNumber()) {
            BigInteger sum = current.bigIntegerValue().add(BigInteger.valueOf(by));
            boolean fitsLong = sum.compareTo(LONG_MIN) >= 0 && sum.compareTo(LONG_MAX) <= 0;
            return fitsLong ? nodes.numberNode(sum.longValue()) : nodes.numberNode(sum);
        }
        if (current.isBigDecimal()) {
            return nodes.numberNode(current.decimalValue().add(BigDecimal.valueOf(by)));
        }
        if (current.isNumber()) {
            double sum = current.doubleValue() + by;
            if (!Double.isFinite(sum)) {
                throw PydbException.badRequest("field '" + field + "' of '" + key + "' would overflow");
            }
            return nodes.numberNode(sum);
        }
        throw PydbException.badRequest("field '" + field + "' of '" + key + "' is not a number, it holds a "
                + current.getNodeType().name().toLowerCase(Locale.ROOT));
    }

    private static ObjectNode parse(ObjectMapper json, Document stored) {
        JsonNode node;
        try {
            node = json.readTree(stored.body());
        } catch (IOException e) {
            throw new UncheckedIOException("stored document '" + stored.key() + "' is not valid JSON", e);
        }
        if (!(node instanceof ObjectNode object)) {
            throw new IllegalStateException("stored document '" + stored.key() + "' is not a JSON object");
        }
        return object;
    }

    private static byte[] serialize(ObjectMapper json, ObjectNode document) {
        try {
            return json.writeValueAsBytes(document);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
