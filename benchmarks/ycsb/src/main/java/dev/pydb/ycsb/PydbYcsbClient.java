package dev.pydb.ycsb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.client.DbExistsException;
import dev.pydb.client.Doc;
import dev.pydb.client.NotFoundException;
import dev.pydb.client.Page;
import dev.pydb.client.PydbClient;
import dev.pydb.client.PydbClientConfig;
import dev.pydb.client.PydbClientException;
import dev.pydb.client.Query;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.Vector;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;
import site.ycsb.StringByteIterator;

/**
 * A YCSB binding for py_db: one YCSB record is one JSON document of string fields, stored under
 * the record's key in the database {@code pydb.database} (created at init if missing; YCSB's
 * table name is not used). read is GET, insert is INSERT (or PUT with
 * {@code pydb.insert_action=PUT}), update is UPDATE with a merge patch of the given fields,
 * delete is DELETE, and scan is GET of the start key plus FIND after it, in key order.
 * A missing record is {@link Status#NOT_FOUND}; every other failure is {@link Status#ERROR}.
 *
 * <p>YCSB makes one instance per thread; all instances with the same settings share one pooled
 * {@link PydbClient}, closed by the last {@link #cleanup()}.
 *
 * <p>Properties:
 * <ul>
 *   <li>{@code pydb.host} (default {@code 127.0.0.1}), {@code pydb.port} (default 9440);</li>
 *   <li>{@code pydb.user} (default {@code admin}) and {@code pydb.password} (default: the
 *       environment variable {@code PYDB_PASSWORD}; one of the two is required);</li>
 *   <li>{@code pydb.database} (default {@code ycsb}), created at init if missing (that needs the
 *       {@code admin} role);</li>
 *   <li>{@code pydb.pool_size}: connections of the shared client (default: YCSB's
 *       {@code threadcount}, one connection per YCSB thread);</li>
 *   <li>{@code pydb.insert_action}: {@code INSERT} (default; an existing key is an error) or
 *       {@code PUT} (create or replace).</li>
 * </ul>
 */
public final class PydbYcsbClient extends DB {
    private static final SharedPydbClients CLIENTS = new SharedPydbClients(PydbClient::connect);
    private static final int MAX_FIND_LIMIT = 10_000;

    private final FailureLog failures = new FailureLog(PydbYcsbClient.class);
    private PydbYcsbSettings settings;
    private PydbClient client;

    @Override
    public void init() throws DBException {
        try {
            settings = PydbYcsbSettings.from(getProperties());
        } catch (IllegalArgumentException e) {
            throw new DBException(e.getMessage());
        }
        try {
            client = CLIENTS.acquire(settings.clientConfig());
        } catch (PydbClientException e) {
            throw new DBException("cannot connect to py_db at " + settings.clientConfig().host() + ":"
                    + settings.clientConfig().port() + ": " + e.getMessage(), e);
        }
        try {
            createDatabaseIfMissing();
        } catch (PydbClientException e) {
            CLIENTS.release(settings.clientConfig());
            client = null;
            throw new DBException("cannot create database '" + settings.database() + "': " + e.getMessage(), e);
        }
    }

    private void createDatabaseIfMissing() {
        if (client.listDbs().contains(settings.database())) {
            return;
        }
        try {
            client.createDb(settings.database());
        } catch (DbExistsException e) {
            // another thread created it first
        }
    }

    @Override
    public void cleanup() throws DBException {
        if (client != null) {
            client = null;
            CLIENTS.release(settings.clientConfig());
        }
    }

    @Override
    public Status read(String table, String key, Set<String> fields, Map<String, ByteIterator> result) {
        try {
            copyFields(client.get(settings.database(), key).doc(), fields, result);
            return Status.OK;
        } catch (NotFoundException e) {
            return Status.NOT_FOUND;
        } catch (RuntimeException e) {
            return failures.error("read", key, e);
        }
    }

    @Override
    public Status scan(String table, String startkey, int recordcount, Set<String> fields,
            Vector<HashMap<String, ByteIterator>> result) {
        if (recordcount < 1) {
            return Status.OK;
        }
        try {
            CompletableFuture<Optional<Doc>> first = client.getAsync(settings.database(), startkey)
                    .thenApply(Optional::of)
                    .exceptionally(PydbYcsbClient::absentIfNotFound);
            List<Doc> following = findAfter(startkey, recordcount);
            List<Doc> docs = new ArrayList<>(recordcount);
            join(first).ifPresent(docs::add);
            for (Doc doc : following) {
                if (docs.size() == recordcount) {
                    break;
                }
                docs.add(doc);
            }
            for (Doc doc : docs) {
                HashMap<String, ByteIterator> record = new HashMap<>();
                copyFields(doc.doc(), fields, record);
                result.add(record);
            }
            return Status.OK;
        } catch (RuntimeException e) {
            return failures.error("scan", startkey, e);
        }
    }

    /** Up to {@code count} documents with keys strictly after {@code key}, in key order. */
    private List<Doc> findAfter(String key, int count) {
        List<Doc> docs = new ArrayList<>(count);
        Optional<String> after = Optional.of(key);
        while (docs.size() < count && after.isPresent()) {
            Page page = client.find(settings.database(),
                    Query.all().limit(Math.min(count - docs.size(), MAX_FIND_LIMIT)).after(after.get()));
            docs.addAll(page.docs());
            after = page.next();
        }
        return docs;
    }

    @Override
    public Status update(String table, String key, Map<String, ByteIterator> values) {
        try {
            client.update(settings.database(), key, document(values));
            return Status.OK;
        } catch (NotFoundException e) {
            return Status.NOT_FOUND;
        } catch (RuntimeException e) {
            return failures.error("update", key, e);
        }
    }

    @Override
    public Status insert(String table, String key, Map<String, ByteIterator> values) {
        try {
            ObjectNode doc = document(values);
            switch (settings.insertAction()) {
                case INSERT -> client.insert(settings.database(), key, doc);
                case PUT -> client.put(settings.database(), key, doc);
            }
            return Status.OK;
        } catch (RuntimeException e) {
            return failures.error("insert", key, e);
        }
    }

    @Override
    public Status delete(String table, String key) {
        try {
            client.delete(settings.database(), key);
            return Status.OK;
        } catch (NotFoundException e) {
            return Status.NOT_FOUND;
        } catch (RuntimeException e) {
            return failures.error("delete", key, e);
        }
    }

    private static ObjectNode document(Map<String, ByteIterator> values) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        values.forEach((field, value) -> doc.put(field, value.toString()));
        return doc;
    }

    private static void copyFields(ObjectNode doc, Set<String> fields, Map<String, ByteIterator> result) {
        if (fields == null) {
            doc.properties().forEach(field -> result.put(field.getKey(), text(field.getValue())));
            return;
        }
        for (String field : fields) {
            JsonNode value = doc.get(field);
            if (value != null) {
                result.put(field, text(value));
            }
        }
    }

    private static ByteIterator text(JsonNode value) {
        return new StringByteIterator(value.isTextual() ? value.asText() : value.toString());
    }

    private static Optional<Doc> absentIfNotFound(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof NotFoundException) {
            return Optional.empty();
        }
        throw cause instanceof RuntimeException runtime ? runtime : new CompletionException(cause);
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof PydbClientException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** For tests: how many DB instances hold the shared client of these settings. */
    static int sharedReferences(PydbClientConfig config) {
        return CLIENTS.references(config);
    }
}
