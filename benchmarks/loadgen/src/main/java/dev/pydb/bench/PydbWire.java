package dev.pydb.bench;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Set;
import javax.net.ssl.SSLSocketFactory;

/** py_db's framed JSON protocol: every connection logs in, the database is (re)created before a run. */
final class PydbWire implements Wire {
    private final Credentials credentials;
    private final String db;
    private final int valueBytes;
    private final int batchSize;
    private final SSLSocketFactory tls;

    /** A user and password to log in with. */
    record Credentials(String user, String password) {
        Credentials {
            requireNonNull(user, "user is null");
            requireNonNull(password, "password is null");
        }
    }

    PydbWire(Credentials credentials, String db, int valueBytes, int batchSize) {
        this(credentials, db, valueBytes, batchSize, null);
    }

    /** With {@code tls} (nullable) every connection speaks TLS over its socket. */
    PydbWire(Credentials credentials, String db, int valueBytes, int batchSize, SSLSocketFactory tls) {
        this.tls = tls;
        this.credentials = requireNonNull(credentials, "credentials is null");
        this.db = requireNonNull(db, "db is null");
        this.valueBytes = valueBytes;
        this.batchSize = batchSize;
    }

    @Override
    public Set<Operation> operations() {
        return EnumSet.allOf(Operation.class);
    }

    @Override
    public RequestTemplate template(Operation operation) {
        return RequestTemplate.forOperation(operation, db, valueBytes, batchSize);
    }

    @Override
    public WireConnection open(String host, int port) throws IOException {
        BenchConnection connection = BenchConnection.open(host, port, tls);
        try {
            connection.login(credentials.user(), credentials.password());
            return connection;
        } catch (IOException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /** Drops the database first if {@code fresh}, then creates it if missing. */
    @Override
    public void prepare(String host, int port, boolean fresh) throws IOException {
        try (BenchConnection setup = BenchConnection.open(host, port, tls)) {
            setup.login(credentials.user(), credentials.password());
            if (fresh) {
                JsonNode dropped = setup.call(BenchConnection.request("DROP_DB").put("db", db));
                if (!dropped.path("ok").asBoolean(false) && !"DB_NOT_FOUND".equals(dropped.path("error").path("code").asText())) {
                    throw new BenchException("DROP_DB " + db + " failed: " + dropped.path("error"));
                }
            }
            JsonNode created = setup.call(BenchConnection.request("CREATE_DB").put("db", db));
            if (!created.path("ok").asBoolean(false) && !"DB_EXISTS".equals(created.path("error").path("code").asText())) {
                throw new BenchException("CREATE_DB " + db + " failed: " + created.path("error"));
            }
        }
    }
}
