package dev.pydb.engine.dispatch;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.Names;
import dev.pydb.api.PydbException;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Limits;
import dev.pydb.api.action.Permission;
import dev.pydb.api.action.Principal;
import dev.pydb.api.storage.Storage;
import dev.pydb.engine.auth.Authenticator;
import dev.pydb.engine.config.ServerConfig;
import dev.pydb.engine.json.JsonSupport;
import dev.pydb.engine.json.StrictUtf8;
import dev.pydb.engine.session.Session;
import dev.pydb.engine.stats.ServerStats;
import dev.pydb.engine.transport.PreparedRequest;
import dev.pydb.engine.transport.RequestProcessor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one request body into one response body: parses it, authenticates the caller (token in
 * {@code auth}, else the session's login), checks the action's permission, calls the handler with
 * its own class loader as the thread context class loader, and maps every failure to an error
 * response. Never throws; a failure that is not a {@link PydbException} becomes {@code INTERNAL}
 * with an incident id that is logged with the stack trace. Thread-safe.
 */
public final class Dispatcher implements RequestProcessor {
    /** The statistics bucket of bodies with no usable action (not JSON, no {@code action}). */
    public static final String INVALID_REQUESTS = "(invalid)";
    /** The statistics bucket of actions no handler serves (one bucket, so clients cannot grow the table). */
    public static final String UNKNOWN_ACTIONS = "(unknown)";

    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    private static final byte[] FALLBACK_INTERNAL = "{\"ok\":false,\"error\":{\"code\":\"INTERNAL\",\"message\":\"internal error\"}}"
            .getBytes(StandardCharsets.UTF_8);

    private static final ClassLoader ENGINE_LOADER = Dispatcher.class.getClassLoader();

    private final ActionRegistry registry;
    private final Authenticator authenticator;
    private final Storage storage;
    private final boolean readsMayBlock;
    private final ObjectMapper json;
    private final ObjectMapper unauthenticatedJson;
    private final ObjectReader treeReader;
    private final ObjectReader unauthenticatedTreeReader;
    private final Limits limits;
    private final ServerStats stats;
    private final Services services;

    /** A dispatcher whose not yet authenticated connections are parsed with {@link JsonSupport#unauthenticatedMapper}. */
    public Dispatcher(ActionRegistry registry, Authenticator authenticator, Storage storage, ObjectMapper json,
            Limits limits, ServerStats stats, Services services) {
        this(registry, authenticator, storage, json,
                JsonSupport.unauthenticatedMapper(ServerConfig.DEFAULT_MAX_UNAUTHENTICATED_QUERY_LENGTH), limits, stats, services);
    }

    /**
     * @param json                the mapper for bodies from authenticated connections
     * @param unauthenticatedJson the mapper for bodies from connections that have not authenticated
     *                            yet (see {@link Session#authenticated()}): tighter read constraints
     */
    public Dispatcher(ActionRegistry registry, Authenticator authenticator, Storage storage, ObjectMapper json,
            ObjectMapper unauthenticatedJson, Limits limits, ServerStats stats, Services services) {
        this.unauthenticatedJson = requireNonNull(unauthenticatedJson, "unauthenticatedJson is null");
        this.registry = requireNonNull(registry, "registry is null");
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
        this.storage = requireNonNull(storage, "storage is null");
        this.readsMayBlock = storage.readsMayBlock();
        this.json = requireNonNull(json, "json is null");
        this.limits = requireNonNull(limits, "limits is null");
        this.stats = requireNonNull(stats, "stats is null");
        this.services = requireNonNull(services, "services is null");
        // Readers bound to JsonNode find their root deserializer once, not per request.
        this.treeReader = json.readerFor(JsonNode.class);
        this.unauthenticatedTreeReader = unauthenticatedJson.readerFor(JsonNode.class);
    }

    @Override
    public byte[] process(Session session, byte[] body) {
        return prepare(session, body).execute();
    }

    /**
     * Parses, authenticates and authorizes the request; running the handler is left to
     * {@link PreparedRequest#execute()}. Failures found here come back already answered. Only
     * the engine's own {@link NonBlockingAction}s say they cannot block, and not even they when the
     * storage's reads may block ({@link Storage#readsMayBlock()}): then all of it, authentication
     * included, runs in {@code execute()} on a worker.
     */
    @Override
    public PreparedRequest prepare(Session session, byte[] body) {
        requireNonNull(session, "session is null");
        requireNonNull(body, "body is null");
        if (readsMayBlock) {
            // a storage on the network (Storage.readsMayBlock): authenticating and reading wait on it
            return PreparedRequest.blocking(() -> prepareNow(session, body).execute());
        }
        return prepareNow(session, body);
    }

    private PreparedRequest prepareNow(Session session, byte[] body) {
        Exchange exchange = new Exchange(stats.timesRequests());
        try {
            return prepare(session, body, exchange);
        } catch (Throwable t) {
            return PreparedRequest.answered(failure(session, exchange, t));
        }
    }

    private Dispatch prepare(Session session, byte[] body, Exchange exchange) {
        ObjectNode request = parse(session.authenticated() ? treeReader : unauthenticatedTreeReader, body);
        exchange.id = readId(request);
        String action = readAction(request);
        exchange.statsName = UNKNOWN_ACTIONS;
        ActionHandler handler = registry.find(action)
                .orElseThrow(() -> new PydbException(ErrorCode.UNKNOWN_ACTION, "unknown action '" + abbreviate(action) + "'"));
        exchange.statsName = ActionRegistry.normalize(action);
        Optional<String> token = readAuthToken(request);
        Permission permission = requireNonNull(handler.permission(), "permission of " + handler.getClass().getName());
        Principal principal = authenticate(permission, token, session);
        if (principal != null) {
            session.markAuthenticated();
        }
        String database = authorize(permission, principal, request);
        EngineRequestContext context = new EngineRequestContext(storage, principal, database, json, limits, session, services);
        return new Dispatch(session, exchange, handler, context, request);
    }

    /** The error response for a failure, counted in the statistics. */
    private byte[] failure(Session session, Exchange exchange, Throwable failure) {
        if (failure instanceof PydbException e && e.code() != ErrorCode.INTERNAL) {
            byte[] response = errorResponse(exchange.id, e.code(), e.getMessage(), e.details());
            stats.request(exchange.statsName, e.code(), exchange.elapsedNanos());
            return response;
        }
        byte[] response = internalError(session, exchange, failure);
        stats.request(exchange.statsName, ErrorCode.INTERNAL, exchange.elapsedNanos());
        return response;
    }

    /** Whether the engine may run {@code handler} on an event loop: one of its own non-blocking actions. */
    private static boolean mayBlock(ActionHandler handler) {
        return !(handler instanceof NonBlockingAction && handler.getClass().getClassLoader() == ENGINE_LOADER);
    }

    private static ObjectNode parse(ObjectReader parser, byte[] body) {
        // Jackson would detect UTF-16/32 by itself and decode overlong forms: bodies are strict UTF-8.
        Optional<String> notUtf8 = StrictUtf8.problem(body);
        if (notUtf8.isPresent()) {
            throw new PydbException(ErrorCode.BAD_JSON, "body is not valid UTF-8: " + notUtf8.get());
        }
        JsonNode tree;
        try {
            tree = parser.readTree(body);
        } catch (JsonProcessingException e) {
            throw new PydbException(ErrorCode.BAD_JSON, "body is not valid JSON: " + describe(e));
        } catch (IOException e) {
            throw new PydbException(ErrorCode.BAD_JSON, "body is not valid JSON");
        } catch (NumberFormatException e) {
            // Jackson throws this, not a JsonProcessingException, for numbers such as 2E2222222222 (found by fuzzing).
            throw new PydbException(ErrorCode.BAD_JSON, "body has a number that cannot be represented: "
                    + abbreviate(e.getMessage()));
        }
        if (tree == null || !tree.isObject()) {
            throw new PydbException(ErrorCode.BAD_JSON, "body must be a JSON object");
        }
        return (ObjectNode) tree;
    }

    private static JsonNode readId(ObjectNode request) {
        JsonNode id = request.get("id");
        if (id != null && !id.isValueNode()) {
            throw PydbException.badRequest("field 'id' must be a string, number, boolean or null");
        }
        return id;
    }

    private static String readAction(ObjectNode request) {
        JsonNode action = request.get("action");
        if (action == null || !action.isTextual()) {
            throw PydbException.badRequest("missing field 'action' (a string)");
        }
        return action.textValue();
    }

    /** The token of {@code auth}: absent, {@code {}} or {@code {"token": "…"}}. */
    private static Optional<String> readAuthToken(ObjectNode request) {
        JsonNode auth = request.get("auth");
        if (auth == null || auth.isNull()) {
            return Optional.empty();
        }
        if (!auth.isObject()) {
            throw PydbException.badRequest("field 'auth' must be an object: {} or {\"token\": \"...\"}");
        }
        Iterator<String> names = auth.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!name.equals("token")) {
                throw PydbException.badRequest("field 'auth' has an unknown field '" + abbreviate(name)
                        + "': use {} or {\"token\": \"...\"}");
            }
        }
        JsonNode token = auth.get("token");
        if (token == null) {
            return Optional.empty();
        }
        if (!token.isTextual()) {
            throw PydbException.badRequest("field 'auth.token' must be a string");
        }
        return Optional.of(token.textValue());
    }

    /**
     * The caller: from the request's token if it has one, else from the session's login, checked
     * on every request. {@code null} only for a {@link Permission#NONE} action without a live token.
     */
    private Principal authenticate(Permission permission, Optional<String> requestToken, Session session) {
        boolean required = permission != Permission.NONE;
        if (requestToken.isPresent()) {
            try {
                return requireNonNull(authenticator.authenticate(requestToken.get()), "principal");
            } catch (PydbException e) {
                if (!required && e.code() == ErrorCode.UNAUTHENTICATED) {
                    return null;
                }
                throw e;
            }
        }
        Optional<String> sessionToken = session.token();
        if (sessionToken.isEmpty()) {
            if (!required) {
                return null;
            }
            throw new PydbException(ErrorCode.UNAUTHENTICATED,
                    "not logged in: send auth.token, or LOGIN on this connection first");
        }
        try {
            return requireNonNull(authenticator.authenticate(sessionToken.get()), "principal");
        } catch (PydbException e) {
            if (e.code() == ErrorCode.UNAUTHENTICATED) {
                session.clearToken();
                if (!required) {
                    return null;
                }
                throw new PydbException(ErrorCode.UNAUTHENTICATED,
                        "this connection's login has expired or was revoked: LOGIN again");
            }
            throw e;
        }
    }

    /** Checks the permission; returns the validated {@code db} for READ and WRITE actions, else {@code null}. */
    private static String authorize(Permission permission, Principal principal, ObjectNode request) {
        return switch (permission) {
            case NONE, AUTHENTICATED -> null;
            case ADMIN -> {
                if (!principal.isAdmin()) {
                    throw forbidden("user '" + principal.username() + "' is not an admin");
                }
                yield null;
            }
            case READ -> {
                String db = readDatabase(request);
                if (!principal.canRead(db)) {
                    throw forbidden("user '" + principal.username() + "' may not read '" + db + "'");
                }
                yield db;
            }
            case WRITE -> {
                String db = readDatabase(request);
                if (!principal.canWrite(db)) {
                    throw forbidden("user '" + principal.username() + "' may not write '" + db + "'");
                }
                yield db;
            }
        };
    }

    private static String readDatabase(ObjectNode request) {
        JsonNode db = request.get("db");
        if (db == null || !db.isTextual()) {
            throw PydbException.badRequest("missing field 'db' (a string)");
        }
        return Names.requireDatabaseName(db.textValue());
    }

    private static PydbException forbidden(String message) {
        return new PydbException(ErrorCode.FORBIDDEN, message);
    }


    private byte[] internalError(Session session, Exchange exchange, Throwable failure) {
        String incident = UUID.randomUUID().toString();
        LOG.error("incident {}: action {} from {} failed", incident, exchange.statsName, session.remoteAddress(), failure);
        return errorResponse(exchange.id, ErrorCode.INTERNAL, "internal error; the server log has the details under incident "
                + incident, Map.of("incident", incident));
    }

    /** {@code {"ok": true, "id": …, "result": …}}, streamed without building a tree around the result. */
    private byte[] okResponse(JsonNode id, JsonNode result) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator generator = json.getFactory().createGenerator(out)) {
            generator.writeStartObject();
            generator.writeBooleanField("ok", true);
            if (id != null) {
                generator.writeFieldName("id");
                json.writeTree(generator, id);
            }
            generator.writeFieldName("result");
            if (result == null) {
                generator.writeNull();
            } else {
                json.writeTree(generator, result);
            }
            generator.writeEndObject();
        }
        return out.toByteArray();
    }

    private byte[] errorResponse(JsonNode id, ErrorCode code, String message, Map<String, Object> details) {
        try {
            ObjectNode response = json.createObjectNode().put("ok", false);
            putId(response, id);
            ObjectNode error = response.putObject("error");
            error.put("code", code.name());
            error.put("message", message);
            details.forEach((name, value) -> error.set(name, json.valueToTree(value)));
            return json.writeValueAsBytes(response);
        } catch (RuntimeException | JsonProcessingException e) {
            LOG.error("cannot write the {} error response", code, e);
            return FALLBACK_INTERNAL;
        }
    }

    private static void putId(ObjectNode response, JsonNode id) {
        if (id != null) {
            response.set("id", id);
        }
    }

    private static String describe(JsonProcessingException e) {
        JsonLocation location = e.getLocation();
        String message = abbreviate(e.getOriginalMessage());
        if (location == null || location.getLineNr() < 0) {
            return message;
        }
        return message + " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }

    /** A checked request, ready to run its handler. */
    private final class Dispatch implements PreparedRequest {
        private final Session session;
        private final Exchange exchange;
        private final ActionHandler handler;
        private final EngineRequestContext context;
        private final ObjectNode request;

        Dispatch(Session session, Exchange exchange, ActionHandler handler, EngineRequestContext context, ObjectNode request) {
            this.session = session;
            this.exchange = exchange;
            this.handler = handler;
            this.context = context;
            this.request = request;
        }

        @Override
        public boolean mayBlock() {
            return Dispatcher.mayBlock(handler);
        }

        @Override
        public byte[] execute() {
            try {
                JsonNode result = handler.handle(context, request);
                byte[] bytes = okResponse(exchange.id, result);
                stats.request(exchange.statsName, null, exchange.elapsedNanos());
                return bytes;
            } catch (Throwable t) {
                return failure(session, exchange, t);
            }
        }
    }

    /** What is known about the request so far, for the response and the statistics. */
    private static final class Exchange {
        /** Not timed without metrics: then no clock is read. */
        final boolean timed;
        final long startNanos;
        JsonNode id;
        String statsName = INVALID_REQUESTS;

        Exchange(boolean timed) {
            this.timed = timed;
            this.startNanos = timed ? System.nanoTime() : 0;
        }

        long elapsedNanos() {
            return timed ? System.nanoTime() - startNanos : 0;
        }
    }
}
