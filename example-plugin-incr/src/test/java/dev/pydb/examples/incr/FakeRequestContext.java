package dev.pydb.examples.incr;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pydb.api.action.Limits;
import dev.pydb.api.action.Principal;
import dev.pydb.api.action.RequestContext;
import dev.pydb.api.storage.Storage;
import java.util.List;
import java.util.Optional;

/** The request context the engine would pass for a WRITE action on {@code database}, with a small document limit. */
record FakeRequestContext(Storage storage, String database, int maxDocumentBytes) implements RequestContext {
    private static final ObjectMapper JSON = new ObjectMapper();

    FakeRequestContext {
        requireNonNull(storage, "storage is null");
        requireNonNull(database, "database is null");
    }

    FakeRequestContext(Storage storage, String database) {
        this(storage, database, 1024 * 1024);
    }

    @Override
    public Optional<Principal> principal() {
        return Optional.of(new Principal("app", List.of("readWrite:" + database)));
    }

    @Override
    public ObjectMapper json() {
        return JSON;
    }

    @Override
    public Limits limits() {
        return new Limits() {
            @Override
            public int maxDocumentBytes() {
                return maxDocumentBytes;
            }

            @Override
            public int maxBatchOps() {
                return 1000;
            }

            @Override
            public int maxFindLimit() {
                return 10_000;
            }

            @Override
            public int defaultFindLimit() {
                return 100;
            }
        };
    }

    @Override
    public String remoteAddress() {
        return "127.0.0.1:50000";
    }

    @Override
    public <T> Optional<T> service(Class<T> type) {
        return Optional.empty();
    }
}
