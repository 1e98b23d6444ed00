package dev.pydb.engine.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import dev.pydb.api.action.RequestContext;
import java.security.SecureRandom;
import java.time.Clock;

/**
 * INSERT ({@code db}, {@code doc}, {@code key}?): stores a new document at rev 1;
 * {@code KEY_EXISTS} if the key is taken. Without a key, a new one is generated (see
 * {@link KeyGenerator}). Result {@code {"key", "rev"}}.
 */
public final class InsertAction implements ActionHandler {
    private final KeyGenerator keys;

    public InsertAction() {
        this(new KeyGenerator(Clock.systemUTC(), new SecureRandom()));
    }

    InsertAction(KeyGenerator keys) {
        this.keys = keys;
    }

    @Override
    public String action() {
        return "INSERT";
    }

    @Override
    public Permission permission() {
        return Permission.WRITE;
    }

    @Override
    public JsonNode handle(RequestContext context, ObjectNode request) {
        return WriteRequests.result(context.json(), WriteRequests.writeOne(context.storage(), context.database(),
                WriteRequests.insert(context, request, keys)));
    }
}
