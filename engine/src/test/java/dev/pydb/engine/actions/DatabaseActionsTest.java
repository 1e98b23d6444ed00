package dev.pydb.engine.actions;

import static dev.pydb.engine.actions.ActionTesting.failure;
import static dev.pydb.engine.actions.ActionTesting.json;
import static dev.pydb.engine.actions.ActionTesting.normalized;
import static dev.pydb.engine.actions.ActionTesting.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.action.Permission;
import dev.pydb.api.action.Principal;
import dev.pydb.storage.tck.memory.InMemoryStorage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** CREATE_DB, DROP_DB and LIST_DBS. */
class DatabaseActionsTest {
    private final InMemoryStorage storage = new InMemoryStorage();
    private final FakeRequestContext context = new FakeRequestContext(storage);

    @Test
    void createDbCreatesAndAnswersTheName() {
        assertThat(new CreateDbAction().permission()).isEqualTo(Permission.ADMIN);

        assertThat(normalized(new CreateDbAction().handle(context, request("{'db': 'shop'}")))).isEqualTo(json("{'db': 'shop'}"));
        assertThat(storage.listDatabases()).containsExactly("shop");
    }

    @Test
    void createDbOfAnExistingDatabaseIsDbExists() {
        storage.createDatabase("shop");

        failure(() -> new CreateDbAction().handle(context, request("{'db': 'shop'}")), ErrorCode.DB_EXISTS);
    }

    @Test
    void databaseNamesAreValidated() {
        for (String name : List.of("'../etc'", "''", "'a b'", "'" + "x".repeat(65) + "'", "5", "null")) {
            failure(() -> new CreateDbAction().handle(context, request("{'db': " + name + "}")), ErrorCode.BAD_REQUEST);
            failure(() -> new DropDbAction().handle(context, request("{'db': " + name + "}")), ErrorCode.BAD_REQUEST);
        }
        failure(() -> new CreateDbAction().handle(context, request("{}")), ErrorCode.BAD_REQUEST);
        assertThat(storage.listDatabases()).isEmpty();
    }

    @Test
    void dropDbDropsAndAnswersTheName() {
        storage.createDatabase("shop");
        assertThat(new DropDbAction().permission()).isEqualTo(Permission.ADMIN);

        assertThat(normalized(new DropDbAction().handle(context, request("{'db': 'shop'}"))))
                .isEqualTo(json("{'db': 'shop', 'dropped': true}"));
        assertThat(storage.listDatabases()).isEmpty();
        failure(() -> new DropDbAction().handle(context, request("{'db': 'shop'}")), ErrorCode.DB_NOT_FOUND);
    }

    @Test
    void listDbsShowsOnlyReadableDatabasesInKeyOrder() {
        for (String db : List.of("shop", "logs", "Zeta", "audit")) {
            storage.createDatabase(db);
        }
        assertThat(new ListDbsAction().permission()).isEqualTo(Permission.AUTHENTICATED);

        assertThat(normalized(new ListDbsAction().handle(context, request("{}"))))
                .isEqualTo(json("['Zeta', 'audit', 'logs', 'shop']"));
        assertThat(normalized(new ListDbsAction().handle(context.principal(new Principal("app", List.of("readWrite:shop", "read:logs"))),
                request("{}")))).isEqualTo(json("['logs', 'shop']"));
        assertThat(normalized(new ListDbsAction().handle(context.principal(new Principal("r", List.of("read:*"))), request("{}"))))
                .isEqualTo(json("['Zeta', 'audit', 'logs', 'shop']"));
        assertThat(normalized(new ListDbsAction().handle(context.principal(new Principal("none", List.of())), request("{}"))))
                .isEqualTo(json("[]"));
    }
}
