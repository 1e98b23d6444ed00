package dev.pydb.engine.actions;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pydb.api.action.Limits;
import dev.pydb.api.action.Principal;
import dev.pydb.api.action.RequestContext;
import dev.pydb.api.storage.Storage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A {@link RequestContext} for handler tests: storage, caller, database, limits and services set by the test. */
final class FakeRequestContext implements RequestContext {
    static final ObjectMapper JSON = new ObjectMapper();

    private final Storage storage;
    private final ObjectMapper json;
    private final Map<Class<?>, Object> services = new HashMap<>();
    private Principal principal = new Principal("admin", List.of("admin"));
    private String database;
    private TestLimits limits = new TestLimits(1024 * 1024, 1000, 10_000, 100);

    FakeRequestContext(Storage storage) {
        this(storage, JSON);
    }

    /** A context whose {@link #json()} is {@code json} (e.g. the server's mapper, which keeps decimals exact). */
    FakeRequestContext(Storage storage, ObjectMapper json) {
        this.storage = requireNonNull(storage, "storage is null");
        this.json = requireNonNull(json, "json is null");
    }

    FakeRequestContext database(String db) {
        this.database = db;
        return this;
    }

    FakeRequestContext principal(Principal principal) {
        this.principal = principal;
        return this;
    }

    FakeRequestContext limits(TestLimits limits) {
        this.limits = limits;
        return this;
    }

    <T> FakeRequestContext service(Class<T> type, T service) {
        services.put(type, service);
        return this;
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
            throw new IllegalStateException("no database for this action");
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
        return "127.0.0.1:50000";
    }

    @Override
    public <T> Optional<T> service(Class<T> type) {
        return Optional.ofNullable(type.cast(services.get(type)));
    }

    record TestLimits(int maxDocumentBytes, int maxBatchOps, int maxFindLimit, int defaultFindLimit) implements Limits {}
}
