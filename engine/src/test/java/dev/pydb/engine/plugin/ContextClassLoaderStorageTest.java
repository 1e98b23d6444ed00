package dev.pydb.engine.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.api.storage.WriteResult;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ContextClassLoaderStorageTest {
    private final ClassLoader pluginLoader = new URLClassLoader("test-plugin", new URL[0], null);
    private final ClassLoader callersLoader = Thread.currentThread().getContextClassLoader();
    private final RecordingStorage recording = new RecordingStorage();
    private final Storage storage = ContextClassLoaderStorage.wrap(recording, pluginLoader);

    @AfterEach
    void restoreContextClassLoader() {
        Thread.currentThread().setContextClassLoader(callersLoader);
    }

    @Test
    void everyCallRunsWithTheGivenContextClassLoaderAndRestoresTheCallers() {
        storage.createDatabase("db");
        storage.dropDatabase("db");
        assertThat(storage.listDatabases()).containsExactly("listDatabases");
        assertThat(storage.databaseExists("db")).isTrue();
        assertThat(storage.get("db", "k")).isEmpty();
        assertThat(storage.scan("db", null, 10)).isEmpty();
        assertThat(storage.count("db")).isEqualTo(7);
        assertThat(storage.write("db", List.of(WriteOp.Put.of("k", new byte[0])))).isEmpty();
        assertThat(storage.put("db", "k", new byte[0], 0)).isEqualTo(3);
        assertThat(storage.insert("db", "k", new byte[0])).isEqualTo(1);
        storage.delete("db", "k", Storage.ANY_REVISION);
        storage.close();

        assertThat(recording.calls).extracting(Call::method).containsExactly("createDatabase", "dropDatabase",
                "listDatabases", "databaseExists", "get", "scan", "count", "write", "put", "insert", "delete", "close");
        assertThat(recording.calls).allSatisfy(call -> assertThat(call.contextClassLoader()).isSameAs(pluginLoader));
        assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(callersLoader);
    }

    @Test
    void restoresTheCallersContextClassLoaderWhenTheStorageThrows() {
        recording.failure = PydbException.dbNotFound("db");

        assertThatThrownBy(() -> storage.count("db")).isSameAs(recording.failure);
        assertThat(recording.calls).singleElement().extracting(Call::contextClassLoader).isSameAs(pluginLoader);
        assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(callersLoader);
    }

    private record Call(String method, ClassLoader contextClassLoader) {}

    /** A storage that records each call with the context class loader it ran with; overrides every default method. */
    private static final class RecordingStorage implements Storage {
        final List<Call> calls = new ArrayList<>();
        RuntimeException failure;

        private void record(String method) {
            calls.add(new Call(method, Thread.currentThread().getContextClassLoader()));
            if (failure != null) {
                throw failure;
            }
        }

        @Override
        public void createDatabase(String db) {
            record("createDatabase");
        }

        @Override
        public void dropDatabase(String db) {
            record("dropDatabase");
        }

        @Override
        public List<String> listDatabases() {
            record("listDatabases");
            return List.of("listDatabases");
        }

        @Override
        public boolean databaseExists(String db) {
            record("databaseExists");
            return true;
        }

        @Override
        public Optional<Document> get(String db, String key) {
            record("get");
            return Optional.empty();
        }

        @Override
        public List<Document> scan(String db, String afterKey, int limit) {
            record("scan");
            return List.of();
        }

        @Override
        public long count(String db) {
            record("count");
            return 7;
        }

        @Override
        public List<WriteResult> write(String db, List<WriteOp> ops) {
            record("write");
            return List.of();
        }

        @Override
        public long put(String db, String key, byte[] body, long expectedRev) {
            record("put");
            return 3;
        }

        @Override
        public long insert(String db, String key, byte[] body) {
            record("insert");
            return 1;
        }

        @Override
        public void delete(String db, String key, long expectedRev) {
            record("delete");
        }

        @Override
        public void close() {
            record("close");
        }
    }
}
