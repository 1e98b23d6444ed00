package dev.pydb.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A thread-safe py_db client: a pool of pipelined connections, each logged in with the configured
 * credentials. Every action has an asynchronous method ({@code getAsync}, …) returning a
 * {@link CompletableFuture} and a blocking one ({@code get}, …) that throws the
 * {@link PydbClientException} subclass for the error. Futures complete on the client's own
 * (virtual) threads, never on a connection's reader.
 *
 * <p>Failure handling: a request that fails with {@code UNAUTHENTICATED} because the connection's
 * login expired is retried once after a new login. Idempotent requests (PING, GET, FIND, COUNT,
 * LIST_DBS, STATS) are retried up to {@code maxRetries} times with doubling backoff after a
 * connection failure or {@code UNAVAILABLE}. Writes are retried only when the request provably
 * never reached the server ({@link ConnectionFailedException}); a write whose connection broke
 * after it was sent fails with {@link OutcomeUnknownException}. A request without a response
 * within the request timeout fails with {@link RequestTimeoutException} and its connection is
 * discarded.
 */
public final class PydbClient implements AutoCloseable {
    private static final Set<String> IDEMPOTENT = Set.of("PING", "GET", "FIND", "COUNT", "LIST_DBS", "STATS");

    private final PydbClientConfig config;
    private final ObjectMapper json = new ObjectMapper();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService timer;
    private final ConnectionPool pool;

    private PydbClient(PydbClientConfig config) {
        this.config = config;
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "pydb-client-timer");
            thread.setDaemon(true);
            return thread;
        });
        this.pool = new ConnectionPool(config.poolSize(), this::openLoggedIn);
    }

    /**
     * Creates a client and opens one connection to check that the server is reachable and the
     * credentials are valid; throws {@link ConnectionFailedException} or
     * {@link UnauthenticatedException} (the client is then closed).
     */
    public static PydbClient connect(PydbClientConfig config) {
        PydbClient client = new PydbClient(requireNonNull(config, "config is null"));
        try {
            client.pool.acquire();
            return client;
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** The configuration this client was created with. */
    public PydbClientConfig config() {
        return config;
    }

    // ---- asynchronous API ----

    public CompletableFuture<String> pingAsync() {
        return execute(request("PING"), JsonNode::asText);
    }

    public CompletableFuture<String> createDbAsync(String db) {
        return execute(request("CREATE_DB").put("db", db(db)), result -> result.path("db").asText());
    }

    public CompletableFuture<Void> dropDbAsync(String db) {
        return execute(request("DROP_DB").put("db", db(db)), result -> null);
    }

    public CompletableFuture<List<String>> listDbsAsync() {
        return execute(request("LIST_DBS"), PydbClient::strings);
    }

    /** INSERT with a key the server generates. */
    public CompletableFuture<Written> insertAsync(String db, ObjectNode doc) {
        return execute(request("INSERT").put("db", db(db)).set("doc", doc(doc)), PydbClient::written);
    }

    /** INSERT with a given key; fails with {@link KeyExistsException} if it is taken. */
    public CompletableFuture<Written> insertAsync(String db, String key, ObjectNode doc) {
        return execute(request("INSERT").put("db", db(db)).put("key", key(key)).set("doc", doc(doc)), PydbClient::written);
    }

    public CompletableFuture<Doc> getAsync(String db, String key) {
        return execute(request("GET").put("db", db(db)).put("key", key(key)), PydbClient::doc);
    }

    /** PUT: creates or replaces the document. */
    public CompletableFuture<Written> putAsync(String db, String key, ObjectNode doc) {
        return execute(request("PUT").put("db", db(db)).put("key", key(key)).set("doc", doc(doc)), PydbClient::written);
    }

    /** Compare-and-set PUT: only if the stored revision is {@code rev} (0: only if absent); else {@link ConflictException}. */
    public CompletableFuture<Written> putAsync(String db, String key, ObjectNode doc, long rev) {
        return execute(request("PUT").put("db", db(db)).put("key", key(key)).put("rev", rev).set("doc", doc(doc)),
                PydbClient::written);
    }

    /** UPDATE: applies a JSON merge patch (RFC 7386) to the stored document. */
    public CompletableFuture<Written> updateAsync(String db, String key, ObjectNode patch) {
        return execute(request("UPDATE").put("db", db(db)).put("key", key(key)).set("patch", doc(patch)),
                PydbClient::written);
    }

    public CompletableFuture<Written> updateAsync(String db, String key, ObjectNode patch, long rev) {
        return execute(request("UPDATE").put("db", db(db)).put("key", key(key)).put("rev", rev).set("patch", doc(patch)),
                PydbClient::written);
    }

    public CompletableFuture<Deleted> deleteAsync(String db, String key) {
        return execute(request("DELETE").put("db", db(db)).put("key", key(key)), result -> deleted(result));
    }

    public CompletableFuture<Deleted> deleteAsync(String db, String key, long rev) {
        return execute(request("DELETE").put("db", db(db)).put("key", key(key)).put("rev", rev), result -> deleted(result));
    }

    /** One page of FIND. */
    public CompletableFuture<Page> findAsync(String db, Query query) {
        requireNonNull(query, "query is null");
        ObjectNode request = request("FIND").put("db", db(db));
        query.filter().ifPresent(filter -> request.set("filter", filter));
        query.limit().ifPresent(limit -> request.put("limit", limit));
        query.after().ifPresent(after -> request.put("after", after));
        return execute(request, PydbClient::page);
    }

    public CompletableFuture<Long> countAsync(String db, Optional<ObjectNode> filter) {
        requireNonNull(filter, "filter is null");
        ObjectNode request = request("COUNT").put("db", db(db));
        filter.ifPresent(f -> request.set("filter", f.deepCopy()));
        return execute(request, JsonNode::asLong);
    }

    /** An atomic BATCH; its results are in the order of the operations. */
    public CompletableFuture<List<WriteResult>> batchAsync(String db, Batch batch) {
        requireNonNull(batch, "batch is null");
        ObjectNode request = request("BATCH").put("db", db(db));
        request.set("ops", batch.ops());
        return execute(request, PydbClient::writeResults);
    }

    public CompletableFuture<ObjectNode> statsAsync() {
        return execute(request("STATS"), result -> (ObjectNode) result);
    }

    /**
     * Any action, e.g. a plugin's {@code INCR}: {@code fields} are the request's other fields; the
     * future yields the response's {@code result}. Retried like a built-in action of the same name.
     */
    public CompletableFuture<JsonNode> callAsync(String action, ObjectNode fields) {
        requireNonNull(action, "action is null");
        requireNonNull(fields, "fields is null");
        ObjectNode request = fields.deepCopy();
        request.put("action", action);
        return execute(request, Function.identity());
    }

    /** LOGIN on a separate short-lived connection (the pool keeps its own user); returns the token. */
    public CompletableFuture<LoginResult> loginAsync(String username, String password) {
        requireNonNull(username, "username is null");
        requireNonNull(password, "password is null");
        return CompletableFuture.supplyAsync(() -> login(username, password), executor);
    }

    /** LOGOUT of {@code token} (revoked everywhere) on a separate short-lived connection. */
    public CompletableFuture<Void> logoutAsync(String token) {
        requireNonNull(token, "token is null");
        return CompletableFuture.runAsync(() -> logout(token), executor);
    }

    // ---- blocking API ----

    public String ping() {
        return Futures.await(pingAsync());
    }

    public String createDb(String db) {
        return Futures.await(createDbAsync(db));
    }

    public void dropDb(String db) {
        Futures.await(dropDbAsync(db));
    }

    public List<String> listDbs() {
        return Futures.await(listDbsAsync());
    }

    public Written insert(String db, ObjectNode doc) {
        return Futures.await(insertAsync(db, doc));
    }

    public Written insert(String db, String key, ObjectNode doc) {
        return Futures.await(insertAsync(db, key, doc));
    }

    public Doc get(String db, String key) {
        return Futures.await(getAsync(db, key));
    }

    public Written put(String db, String key, ObjectNode doc) {
        return Futures.await(putAsync(db, key, doc));
    }

    public Written put(String db, String key, ObjectNode doc, long rev) {
        return Futures.await(putAsync(db, key, doc, rev));
    }

    public Written update(String db, String key, ObjectNode patch) {
        return Futures.await(updateAsync(db, key, patch));
    }

    public Written update(String db, String key, ObjectNode patch, long rev) {
        return Futures.await(updateAsync(db, key, patch, rev));
    }

    public Deleted delete(String db, String key) {
        return Futures.await(deleteAsync(db, key));
    }

    public Deleted delete(String db, String key, long rev) {
        return Futures.await(deleteAsync(db, key, rev));
    }

    public Page find(String db, Query query) {
        return Futures.await(findAsync(db, query));
    }

    /**
     * Every document the query selects, in key order, fetching page after page (of the query's
     * limit) lazily while iterating. Pages are not a snapshot (see FIND in the protocol).
     */
    public Iterable<Doc> findAll(String db, Query query) {
        db(db);
        requireNonNull(query, "query is null");
        return () -> new DocIterator(db, query);
    }

    public long count(String db) {
        return Futures.await(countAsync(db, Optional.empty()));
    }

    public long count(String db, ObjectNode filter) {
        return Futures.await(countAsync(db, Optional.of(requireNonNull(filter, "filter is null"))));
    }

    public List<WriteResult> batch(String db, Batch batch) {
        return Futures.await(batchAsync(db, batch));
    }

    public ObjectNode stats() {
        return Futures.await(statsAsync());
    }

    public JsonNode call(String action, ObjectNode fields) {
        return Futures.await(callAsync(action, fields));
    }

    public LoginResult login(String username, String password) {
        requireNonNull(username, "username is null");
        requireNonNull(password, "password is null");
        try (Connection connection = openConnection()) {
            ObjectNode result = (ObjectNode) resultOf(Futures.await(connection.send(
                    request("LOGIN").put("username", username).put("password", password))));
            return new LoginResult(result.path("token").asText(), Instant.parse(result.path("expires_at").asText()),
                    strings(result.path("roles")));
        }
    }

    public void logout(String token) {
        requireNonNull(token, "token is null");
        try (Connection connection = openConnection()) {
            ObjectNode request = request("LOGOUT");
            request.putObject("auth").put("token", token);
            resultOf(Futures.await(connection.send(request)));
        }
    }

    /** How many pooled connections are open now. */
    public int openConnections() {
        return pool.openConnections();
    }

    /** Closes every connection (requests in flight fail) and stops the client's threads. Idempotent. */
    @Override
    public void close() {
        pool.close();
        timer.shutdownNow();
        executor.shutdown();
    }

    // ---- the request pipeline ----

    private <T> CompletableFuture<T> execute(ObjectNode request, Function<JsonNode, T> decoder) {
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        String action = request.path("action").asText().toUpperCase(Locale.ROOT);
        boolean idempotent = IDEMPOTENT.contains(action);
        try {
            executor.execute(() -> attempt(request, action, idempotent, 0, result));
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new ConnectionFailedException("the client is closed", e));
        }
        return result.thenApply(decoder);
    }

    private void attempt(ObjectNode request, String action, boolean idempotent, int retries,
            CompletableFuture<JsonNode> result) {
        Connection connection;
        try {
            connection = pool.acquire();
        } catch (RuntimeException e) {
            retryOrFail(e, request, action, idempotent, retries, result);
            return;
        }
        sendOn(connection, request, action, idempotent, retries, false, result);
    }

    private void sendOn(Connection connection, ObjectNode request, String action, boolean idempotent, int retries,
            boolean reloggedIn, CompletableFuture<JsonNode> result) {
        int generation = connection.loginGeneration();
        connection.send(request).whenCompleteAsync((response, failure) -> {
            try {
                handleResponse(connection, generation, response, failure, request, action, idempotent, retries, reloggedIn,
                        result);
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        }, executor);
    }

    private void handleResponse(Connection connection, int generation, ObjectNode response, Throwable failure,
            ObjectNode request, String action, boolean idempotent, int retries, boolean reloggedIn,
            CompletableFuture<JsonNode> result) {
        if (failure != null) {
            retryOrFail(Futures.unwrap(failure), request, action, idempotent, retries, result);
            return;
        }
        if (response.path("ok").asBoolean(false)) {
            result.complete(response.path("result"));
            return;
        }
        PydbClientException error = ServerErrors.of(Connection.errorOf(response));
        if (error instanceof UnauthenticatedException && mayRelogin(request, action, reloggedIn)) {
            try {
                connection.login(config.username().orElseThrow(), config.password().orElseThrow(), generation);
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                return;
            }
            sendOn(connection, request, action, idempotent, retries, true, result);
            return;
        }
        retryOrFail(error, request, action, idempotent, retries, result);
    }

    private boolean mayRelogin(ObjectNode request, String action, boolean reloggedIn) {
        return !reloggedIn && config.username().isPresent() && !request.has("auth") && !"LOGIN".equals(action)
                && !"LOGOUT".equals(action);
    }

    private void retryOrFail(Throwable failure, ObjectNode request, String action, boolean idempotent, int retries,
            CompletableFuture<JsonNode> result) {
        boolean retryable = failure instanceof ConnectionFailedException
                || idempotent && (failure instanceof OutcomeUnknownException || failure instanceof UnavailableException);
        if (!retryable || retries >= config.maxRetries() || executor.isShutdown()) {
            result.completeExceptionally(failure);
            return;
        }
        long delayMillis = config.retryBackoff().toMillis() << Math.min(retries, 16);
        try {
            CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS, executor)
                    .execute(() -> attempt(request, action, idempotent, retries + 1, result));
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(failure);
        }
    }

    private Connection openLoggedIn() {
        Connection connection = openConnection();
        if (config.username().isPresent()) {
            try {
                connection.login(config.username().get(), config.password().orElseThrow(), connection.loginGeneration());
            } catch (RuntimeException e) {
                connection.close();
                throw e;
            }
        }
        return connection;
    }

    private Connection openConnection() {
        return Connection.open(config.host(), config.port(), config.connectTimeout(), config.requestTimeout(), json, timer);
    }

    // ---- encoding and decoding ----

    private ObjectNode request(String action) {
        return json.createObjectNode().put("action", action);
    }

    private static JsonNode resultOf(ObjectNode response) {
        if (!response.path("ok").asBoolean(false)) {
            throw ServerErrors.of(Connection.errorOf(response));
        }
        return response.path("result");
    }

    private static String db(String db) {
        return requireNonNull(db, "db is null");
    }

    private static String key(String key) {
        return requireNonNull(key, "key is null");
    }

    private static ObjectNode doc(ObjectNode doc) {
        return requireNonNull(doc, "doc is null").deepCopy();
    }

    private static List<String> strings(JsonNode array) {
        List<String> strings = new ArrayList<>(array.size());
        array.forEach(element -> strings.add(element.asText()));
        return List.copyOf(strings);
    }

    private static Written written(JsonNode result) {
        return new Written(result.path("key").asText(), result.path("rev").asLong());
    }

    private static Deleted deleted(JsonNode result) {
        return new Deleted(result.path("key").asText());
    }

    private static Doc doc(JsonNode result) {
        JsonNode doc = result.path("doc");
        return new Doc(result.path("key").asText(), result.path("rev").asLong(),
                doc instanceof ObjectNode object ? object : new ObjectMapper().createObjectNode());
    }

    private static Page page(JsonNode result) {
        List<Doc> docs = new ArrayList<>();
        result.path("docs").forEach(doc -> docs.add(doc(doc)));
        JsonNode next = result.path("next");
        return new Page(docs, next.isTextual() ? Optional.of(next.asText()) : Optional.empty());
    }

    private static List<WriteResult> writeResults(JsonNode result) {
        List<WriteResult> results = new ArrayList<>();
        result.path("results").forEach(each -> results.add(each.path("deleted").asBoolean(false) ? deleted(each) : written(each)));
        return List.copyOf(results);
    }

    /** Iterates the documents of a query page by page. */
    private final class DocIterator implements Iterator<Doc> {
        private final String db;
        private Query query;
        private Iterator<Doc> page = List.<Doc>of().iterator();
        private boolean morePages = true;

        DocIterator(String db, Query query) {
            this.db = db;
            this.query = query;
        }

        @Override
        public boolean hasNext() {
            while (!page.hasNext() && morePages) {
                Page next = find(db, query);
                page = next.docs().iterator();
                morePages = next.next().isPresent();
                next.next().ifPresent(after -> query = query.after(after));
            }
            return page.hasNext();
        }

        @Override
        public Doc next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return page.next();
        }
    }
}
