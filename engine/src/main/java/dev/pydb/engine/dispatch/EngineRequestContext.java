package dev.pydb.engine.dispatch;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pydb.api.action.Limits;
import dev.pydb.api.action.Principal;
import dev.pydb.api.action.RequestContext;
import dev.pydb.api.storage.Storage;
import dev.pydb.engine.session.Session;
import java.util.Optional;

/** The engine's {@link RequestContext} for one request; the connection's {@link Session} is one of its services. */
final class EngineRequestContext implements RequestContext {
    private final Storage storage;
    private final Principal principal;
    private final String database;
    private final ObjectMapper json;
    private final Limits limits;
    private final Session session;
    private final Services services;

    EngineRequestContext(Storage storage, Principal principal, String database, ObjectMapper json, Limits limits,
            Session session, Services services) {
        this.storage = requireNonNull(storage, "storage is null");
        this.principal = principal;
        this.database = database;
        this.json = requireNonNull(json, "json is null");
        this.limits = requireNonNull(limits, "limits is null");
        this.session = requireNonNull(session, "session is null");
        this.services = requireNonNull(services, "services is null");
    }

    @Override
    public Storage storage() {
        return storage;
    }

    @Override
    public Optional<Principal> principal() {
        return Optional.ofNullable(principal);
    }

    @Override
    public String database() {
        if (database == null) {
            throw new IllegalStateException("this action has no database: only READ and WRITE actions have one");
        }
        return database;
    }

    @Override
    public ObjectMapper json() {
        return json;
    }

    @Override
    public Limits limits() {
        return limits;
    }

    @Override
    public String remoteAddress() {
        return session.remoteAddress();
    }

    @Override
    public <T> Optional<T> service(Class<T> type) {
        requireNonNull(type, "type is null");
        if (type == Session.class) {
            return Optional.of(type.cast(session));
        }
        return services.get(type);
    }
}
