package dev.pydb.engine.actions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ActionRegistrationTest {
    @Test
    void everyBuiltInActionIsRegisteredOnceWithTheContractsPermission() {
        Map<String, Permission> registered = new TreeMap<>();
        for (ActionHandler handler : ServiceLoader.load(ActionHandler.class)) {
            assertThat(registered.put(handler.action(), handler.permission()))
                    .as("duplicate handler for %s", handler.action()).isNull();
        }

        assertThat(registered).isEqualTo(new TreeMap<>(Map.ofEntries(
                Map.entry("PING", Permission.NONE),
                Map.entry("LOGIN", Permission.NONE),
                Map.entry("LOGOUT", Permission.AUTHENTICATED),
                Map.entry("CREATE_DB", Permission.ADMIN),
                Map.entry("DROP_DB", Permission.ADMIN),
                Map.entry("LIST_DBS", Permission.AUTHENTICATED),
                Map.entry("INSERT", Permission.WRITE),
                Map.entry("GET", Permission.READ),
                Map.entry("PUT", Permission.WRITE),
                Map.entry("UPDATE", Permission.WRITE),
                Map.entry("DELETE", Permission.WRITE),
                Map.entry("FIND", Permission.READ),
                Map.entry("COUNT", Permission.READ),
                Map.entry("CREATE_INDEX", Permission.ADMIN),
                Map.entry("DROP_INDEX", Permission.ADMIN),
                Map.entry("LIST_INDEXES", Permission.ADMIN),
                Map.entry("BATCH", Permission.WRITE),
                Map.entry("STATS", Permission.ADMIN),
                Map.entry("BACKUP", Permission.ADMIN),
                Map.entry("BACKUP_STATUS", Permission.ADMIN))));
    }
}
