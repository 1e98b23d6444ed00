package dev.pydb.engine.actions;

import static dev.pydb.engine.actions.ActionTesting.failure;
import static dev.pydb.engine.actions.ActionTesting.json;
import static dev.pydb.engine.actions.ActionTesting.normalized;
import static dev.pydb.engine.actions.ActionTesting.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.action.Permission;
import dev.pydb.api.query.FieldPath;
import dev.pydb.api.storage.IndexInfo;
import dev.pydb.api.storage.IndexSpec;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.api.storage.WriteResult;
import dev.pydb.engine.fakes.QueryingStorage;
import dev.pydb.engine.stats.ServerInfo;
import dev.pydb.storage.tck.memory.ForwardingStorage;
import dev.pydb.storage.tck.memory.InMemoryStorage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** CREATE_INDEX, DROP_INDEX, LIST_INDEXES over the storage's {@code Indexes}, and UNIQUE_VIOLATION from writes. */
class IndexActionsTest {
    private final QueryingStorage storage = new QueryingStorage();
    private final FakeRequestContext context = new FakeRequestContext(storage);

    IndexActionsTest() {
        storage.createDatabase("shop");
        storage.put("shop", "a", "{\"city\":\"c7\"}".getBytes(StandardCharsets.UTF_8), -1);
        storage.put("shop", "b", "{\"city\":\"c8\"}".getBytes(StandardCharsets.UTF_8), -1);
    }

    @Test
    void theyAreAdminActions() {
        assertThat(new CreateIndexAction().permission()).isEqualTo(Permission.ADMIN);
        assertThat(new DropIndexAction().permission()).isEqualTo(Permission.ADMIN);
        assertThat(new ListIndexesAction().permission()).isEqualTo(Permission.ADMIN);
        assertThat(List.of(new CreateIndexAction().action(), new DropIndexAction().action(), new ListIndexesAction().action()))
                .containsExactly("CREATE_INDEX", "DROP_INDEX", "LIST_INDEXES");
    }

    @Test
    void createHandsTheSpecToTheStorageAndAnswersTheIndexInfo() {
        JsonNode created = create("{'db': 'shop', 'field': 'address.city', 'unique': true, 'ttl_seconds': 3600}");

        assertThat(normalized(created)).isEqualTo(json("{'field': 'address.city', 'options': {'unique': true, 'ttl_seconds': 3600},"
                + " 'state': 'READY', 'entries': 2, 'progress': {'documents_indexed': 2, 'documents_total': 2},"
                + " 'expired_deleted': 0, 'error': null}"));
        assertThat(storage.fakeIndexes().list("shop")).extracting(IndexInfo::spec)
                .containsExactly(new IndexSpec(FieldPath.parse("address.city", "test"), true, 3600));
    }

    @Test
    void optionsDefaultToAPlainIndex() {
        create("{'db': 'shop', 'field': 'city'}");

        assertThat(storage.fakeIndexes().list("shop")).extracting(IndexInfo::spec)
                .containsExactly(IndexSpec.on(FieldPath.parse("city", "test")));
    }

    @Test
    void aBuildingIndexShowsItsProgressAndAFailedOneItsError() {
        storage.fakeIndexes().stateOnCreate(IndexInfo.State.BUILDING);
        JsonNode building = create("{'db': 'shop', 'field': 'city'}");
        assertThat(building.get("state").textValue()).isEqualTo("BUILDING");
        assertThat(normalized(building.get("progress"))).isEqualTo(json("{'documents_indexed': 0, 'documents_total': 2}"));

        storage.fakeIndexes().stateOnCreate(IndexInfo.State.FAILED);
        JsonNode failed = create("{'db': 'shop', 'field': 'name', 'unique': true}");
        assertThat(failed.get("state").textValue()).isEqualTo("FAILED");
        assertThat(failed.get("error").textValue()).isEqualTo("duplicate");
    }

    @Test
    void listShowsTheIndexesByFieldAndDropRemovesOne() {
        create("{'db': 'shop', 'field': 'name'}");
        create("{'db': 'shop', 'field': 'city', 'unique': true}");

        JsonNode listed = new ListIndexesAction().handle(context, request("{'db': 'shop'}"));
        assertThat(listed.get("db").textValue()).isEqualTo("shop");
        assertThat(listed.get("indexes")).extracting(index -> index.get("field").textValue()).containsExactly("city", "name");
        assertThat(listed.get("indexes").get(0).get("options").get("unique").booleanValue()).isTrue();

        JsonNode dropped = new DropIndexAction().handle(context, request("{'db': 'shop', 'field': 'city'}"));
        assertThat(normalized(dropped)).isEqualTo(json("{'db': 'shop', 'field': 'city', 'dropped': true}"));
        assertThat(new ListIndexesAction().handle(context, request("{'db': 'shop'}")).get("indexes"))
                .extracting(index -> index.get("field").textValue()).containsExactly("name");

        failure(() -> new DropIndexAction().handle(context, request("{'db': 'shop', 'field': 'city'}")), ErrorCode.NOT_FOUND);
    }

    @Test
    void theStoragesErrorsPassThrough() {
        create("{'db': 'shop', 'field': 'city'}");

        failure(() -> create("{'db': 'shop', 'field': 'city', 'unique': true}"), ErrorCode.CONFLICT);
        failure(() -> create("{'db': 'nope', 'field': 'city'}"), ErrorCode.DB_NOT_FOUND);
        failure(() -> new ListIndexesAction().handle(context, request("{'db': 'nope'}")), ErrorCode.DB_NOT_FOUND);
        assertThat(create("{'db': 'shop', 'field': 'city'}").get("field").textValue()).as("the same index again").isEqualTo("city");
    }

    @Test
    void requestsAreValidated() {
        assertThat(failure(() -> create("{'field': 'city'}"), ErrorCode.BAD_REQUEST)).hasMessageContaining("'db'");
        failure(() -> create("{'db': 'bad name', 'field': 'city'}"), ErrorCode.BAD_REQUEST);
        assertThat(failure(() -> create("{'db': 'shop'}"), ErrorCode.BAD_REQUEST)).hasMessageContaining("'field'");
        failure(() -> create("{'db': 'shop', 'field': 7}"), ErrorCode.BAD_REQUEST);
        assertThat(failure(() -> create("{'db': 'shop', 'field': 'a..b'}"), ErrorCode.BAD_REQUEST)).hasMessageContaining("a..b");
        failure(() -> create("{'db': 'shop', 'field': '$where'}"), ErrorCode.BAD_REQUEST);
        assertThat(failure(() -> create("{'db': 'shop', 'field': 'city', 'unique': 'yes'}"), ErrorCode.BAD_REQUEST))
                .hasMessageContaining("unique");
        failure(() -> create("{'db': 'shop', 'field': 'city', 'ttl_seconds': -1}"), ErrorCode.BAD_REQUEST);
        failure(() -> create("{'db': 'shop', 'field': 'city', 'ttl_seconds': 1.5}"), ErrorCode.BAD_REQUEST);
        failure(() -> create("{'db': 'shop', 'field': 'city', 'ttl_seconds': 2147483648}"), ErrorCode.BAD_REQUEST);
        failure(() -> new DropIndexAction().handle(context, request("{'db': 'shop'}")), ErrorCode.BAD_REQUEST);
        failure(() -> new ListIndexesAction().handle(context, request("{}")), ErrorCode.BAD_REQUEST);
        assertThat(storage.fakeIndexes().list("shop")).isEmpty();
    }

    @Test
    void aStorageWithoutIndexesAnswersUnsupportedNamingItsProvider() {
        FakeRequestContext plain = new FakeRequestContext(new InMemoryStorage())
                .service(ServerInfo.class, new ServerInfo("0.2.0", "memory", List.of()));

        PydbException e = failure(() -> new CreateIndexAction().handle(plain, request("{'db': 'shop', 'field': 'city'}")),
                ErrorCode.UNSUPPORTED);
        assertThat(e).hasMessageContaining("storage 'memory' does not support secondary indexes").hasMessageContaining("CREATE_INDEX");
        failure(() -> new DropIndexAction().handle(plain, request("{'db': 'shop', 'field': 'city'}")), ErrorCode.UNSUPPORTED);
        failure(() -> new ListIndexesAction().handle(plain, request("{'db': 'shop'}")), ErrorCode.UNSUPPORTED);
    }

    @Test
    void aUniqueViolationReachesTheClientWithItsDetails() {
        ForwardingStorage refusing = new ForwardingStorage(new InMemoryStorage()) {
            @Override
            public List<WriteResult> write(String db, List<WriteOp> ops) {
                throw new PydbException(ErrorCode.UNIQUE_VIOLATION, "unique index on 'email' already holds \"a@b\"")
                        .withDetail("field", "email").withDetail("value", "a@b").withDetail("index", ops.size() - 1);
            }
        };
        refusing.createDatabase("shop");
        FakeRequestContext writing = new FakeRequestContext(refusing).database("shop");

        PydbException put = failure(() -> new PutAction().handle(writing, request("{'key': 'k', 'doc': {'email': 'a@b'}}")),
                ErrorCode.UNIQUE_VIOLATION);
        assertThat(put.details()).containsEntry("field", "email").containsEntry("value", "a@b").doesNotContainKey("index");

        PydbException batch = failure(() -> new BatchAction().handle(writing, request(
                "{'ops': [{'action': 'PUT', 'key': 'k1', 'doc': {}}, {'action': 'PUT', 'key': 'k2', 'doc': {'email': 'a@b'}}]}")),
                ErrorCode.UNIQUE_VIOLATION);
        assertThat(batch.details()).containsEntry("field", "email").containsEntry("index", 1);
    }

    private JsonNode create(String text) {
        return new CreateIndexAction().handle(context, request(text));
    }
}
