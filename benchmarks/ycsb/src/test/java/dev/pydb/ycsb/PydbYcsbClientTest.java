package dev.pydb.ycsb;

import static dev.pydb.ycsb.YcsbRecords.properties;
import static dev.pydb.ycsb.YcsbRecords.record;
import static dev.pydb.ycsb.YcsbRecords.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pydb.client.PydbClient;
import dev.pydb.client.TestServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.Vector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;

class PydbYcsbClientTest {
    @TempDir
    static Path home;

    private static TestServer server;
    private static PydbClient admin;
    private static int databases;

    private final List<DB> opened = new ArrayList<>();

    @BeforeAll
    static void startServer() {
        server = TestServer.start(home);
        admin = server.client("admin");
        admin.createDb("shop");
    }

    @AfterAll
    static void stopServer() {
        admin.close();
        server.close();
    }

    @AfterEach
    void cleanUp() throws DBException {
        for (DB db : opened) {
            db.cleanup();
        }
    }

    private Properties settings(String user, String database, String... more) {
        Properties properties = properties("pydb.port", String.valueOf(server.port()), "pydb.user", user,
                "pydb.password", user + "-pw", "pydb.database", database, "threadcount", "2");
        properties.putAll(properties(more));
        return properties;
    }

    private DB open(Properties properties) throws DBException {
        PydbYcsbClient db = new PydbYcsbClient();
        db.setProperties(properties);
        db.init();
        opened.add(db);
        return db;
    }

    /** A binding on a database of its own, created by init. */
    private DB openFresh(String... more) throws DBException {
        return open(settings("admin", "ycsb" + ++databases, more));
    }

    private static Map<String, String> read(DB db, String key, Set<String> fields) {
        Map<String, ByteIterator> result = new HashMap<>();
        assertThat(db.read("usertable", key, fields, result)).isEqualTo(Status.OK);
        return strings(result);
    }

    @Test
    void initCreatesTheDatabaseAndInsertedRecordsReadBackAsStringDocuments() throws Exception {
        DB db = openFresh();
        String database = "ycsb" + databases;

        assertThat(admin.listDbs()).contains(database);
        assertThat(db.insert("usertable", "user1", record("field0", "a", "field1", "b"))).isEqualTo(Status.OK);

        assertThat(read(db, "user1", null)).containsExactlyInAnyOrderEntriesOf(Map.of("field0", "a", "field1", "b"));
        assertThat(read(db, "user1", Set.of("field1", "field9"))).containsExactlyInAnyOrderEntriesOf(Map.of("field1", "b"));
        assertThat(admin.get(database, "user1").doc()).isEqualTo(new ObjectMapper().readTree("{\"field0\": \"a\", \"field1\": \"b\"}"));
    }

    @Test
    void updateMergesTheGivenFieldsAndKeepsTheOthers() throws DBException {
        DB db = openFresh();
        db.insert("usertable", "user1", record("field0", "a", "field1", "b"));

        assertThat(db.update("usertable", "user1", record("field1", "B", "field2", "C"))).isEqualTo(Status.OK);

        assertThat(read(db, "user1", null))
                .containsExactlyInAnyOrderEntriesOf(Map.of("field0", "a", "field1", "B", "field2", "C"));
    }

    @Test
    void deleteRemovesTheRecord() throws DBException {
        DB db = openFresh();
        db.insert("usertable", "user1", record("field0", "a"));

        assertThat(db.delete("usertable", "user1")).isEqualTo(Status.OK);

        assertThat(db.read("usertable", "user1", null, new HashMap<>())).isEqualTo(Status.NOT_FOUND);
    }

    @Test
    void missingRecordsAreNotFound() throws DBException {
        DB db = openFresh();

        assertThat(db.read("usertable", "nobody", null, new HashMap<>())).isEqualTo(Status.NOT_FOUND);
        assertThat(db.update("usertable", "nobody", record("field0", "a"))).isEqualTo(Status.NOT_FOUND);
        assertThat(db.delete("usertable", "nobody")).isEqualTo(Status.NOT_FOUND);
    }

    @Test
    void scanReturnsRecordsFromTheStartKeyInKeyOrder() throws DBException {
        DB db = openFresh();
        for (String key : List.of("user5", "user1", "user3", "user4", "user2")) {
            db.insert("usertable", key, record("field0", key, "field1", "x"));
        }

        assertThat(scan(db, "user2", 3, null)).containsExactly(
                Map.of("field0", "user2", "field1", "x"), Map.of("field0", "user3", "field1", "x"),
                Map.of("field0", "user4", "field1", "x"));
        assertThat(scan(db, "user25", 10, Set.of("field0")))
                .containsExactly(Map.of("field0", "user3"), Map.of("field0", "user4"), Map.of("field0", "user5"));
        assertThat(scan(db, "user1", 1, null)).containsExactly(Map.of("field0", "user1", "field1", "x"));
        assertThat(scan(db, "user9", 5, null)).isEmpty();
    }

    private static List<Map<String, String>> scan(DB db, String start, int count, Set<String> fields) {
        Vector<HashMap<String, ByteIterator>> result = new Vector<>();
        assertThat(db.scan("usertable", start, count, fields, result)).isEqualTo(Status.OK);
        return result.stream().map(YcsbRecords::strings).toList();
    }

    @Test
    void insertOfAnExistingKeyIsAnErrorUnlessInsertsArePuts() throws DBException {
        DB inserting = openFresh();
        inserting.insert("usertable", "user1", record("field0", "a"));

        assertThat(inserting.insert("usertable", "user1", record("field0", "b"))).isEqualTo(Status.ERROR);

        DB putting = open(settings("admin", "ycsb" + databases, "pydb.insert_action", "put"));
        assertThat(putting.insert("usertable", "user1", record("field0", "c"))).isEqualTo(Status.OK);
        assertThat(read(putting, "user1", null)).containsExactlyInAnyOrderEntriesOf(Map.of("field0", "c"));
    }

    @Test
    void operationsTheUserMayNotDoAreErrors() throws DBException {
        DB writer = open(settings("app", "shop"));
        writer.insert("usertable", "user1", record("field0", "a"));
        DB reader = open(settings("reader", "shop"));

        assertThat(read(reader, "user1", null)).containsExactlyInAnyOrderEntriesOf(Map.of("field0", "a"));
        assertThat(reader.insert("usertable", "user2", record("field0", "a"))).isEqualTo(Status.ERROR);
        assertThat(reader.update("usertable", "user1", record("field0", "b"))).isEqualTo(Status.ERROR);
        assertThat(reader.delete("usertable", "user1")).isEqualTo(Status.ERROR);
    }

    @Test
    void initFailsWhenTheDatabaseCannotBeCreatedOrTheLoginIsWrong() {
        assertThatThrownBy(() -> open(settings("reader", "elsewhere")))
                .isInstanceOf(DBException.class).hasMessageContaining("cannot create database 'elsewhere'");
        assertThatThrownBy(() -> open(settings("admin", "shop", "pydb.password", "wrong")))
                .isInstanceOf(DBException.class).hasMessageContaining("cannot connect to py_db");
        assertThatThrownBy(() -> open(settings("admin", "shop", "pydb.port", "nine")))
                .isInstanceOf(DBException.class).hasMessageContaining("pydb.port");
    }

    @Test
    void instancesWithTheSameSettingsShareOneClientUntilTheLastCleanup() throws DBException {
        Properties properties = settings("app", "shop", "pydb.pool_size", "3");
        var config = PydbYcsbSettings.from(properties).clientConfig();
        DB first = new PydbYcsbClient();
        first.setProperties(properties);
        first.init();
        DB second = new PydbYcsbClient();
        second.setProperties(properties);
        second.init();

        assertThat(PydbYcsbClient.sharedReferences(config)).isEqualTo(2);
        first.cleanup();
        assertThat(PydbYcsbClient.sharedReferences(config)).isEqualTo(1);
        assertThat(second.insert("usertable", "shared", record("field0", "a"))).isEqualTo(Status.OK);
        second.cleanup();
        assertThat(PydbYcsbClient.sharedReferences(config)).isZero();
        second.cleanup();
        assertThat(PydbYcsbClient.sharedReferences(config)).isZero();
    }

    @Test
    void operationsFailWithErrorOnceTheServerIsGone(@TempDir Path otherHome) throws DBException {
        TestServer doomed = TestServer.start(otherHome);
        DB db;
        try {
            db = open(properties("pydb.port", String.valueOf(doomed.port()), "pydb.password", "admin-pw",
                    "pydb.database", "doomed"));
            assertThat(db.insert("usertable", "user1", record("field0", "a"))).isEqualTo(Status.OK);
        } finally {
            doomed.close();
        }

        assertThat(db.read("usertable", "user1", null, new HashMap<>())).isEqualTo(Status.ERROR);
        assertThat(db.insert("usertable", "user2", record("field0", "a"))).isEqualTo(Status.ERROR);
        assertThat(db.scan("usertable", "user1", 5, null, new Vector<>())).isEqualTo(Status.ERROR);
    }
}
