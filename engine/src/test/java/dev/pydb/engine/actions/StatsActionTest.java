package dev.pydb.engine.actions;

import dev.pydb.engine.stats.ServerInfo;

import static dev.pydb.engine.actions.ActionTesting.json;
import static dev.pydb.engine.actions.ActionTesting.normalized;
import static dev.pydb.engine.actions.ActionTesting.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pydb.api.action.Permission;
import dev.pydb.engine.auth.MutableClock;
import dev.pydb.engine.stats.ServerStats;
import dev.pydb.storage.tck.memory.InMemoryStorage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatsActionTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T03:00:00Z"));
    private final ServerStats stats = new ServerStats(clock);
    private final InMemoryStorage storage = new InMemoryStorage();
    private final FakeRequestContext context = new FakeRequestContext(storage).service(ServerStats.class, stats);

    @Test
    void reportsCountersStorageDatabasesAndPlugins() {
        storage.createDatabase("shop");
        storage.createDatabase("logs");
        storage.insert("shop", "a", "{}".getBytes(StandardCharsets.UTF_8));
        storage.insert("shop", "b", "{}".getBytes(StandardCharsets.UTF_8));
        stats.connectionOpened();
        stats.connectionOpened();
        stats.connectionClosed();
        stats.request("PING", false);
        stats.request("PING", false);
        stats.request("GET", true);
        stats.memoryWaited();
        stats.memoryRefused();
        stats.outputLimitDisconnect();
        stats.bindMemoryBudget(() -> 2048, () -> 4096, 1 << 20);
        clock.advance(Duration.ofSeconds(90).plusMillis(900));
        context.service(ServerInfo.class, new ServerInfo("0.1.0", "lmdb",
                List.of(new ServerInfo.PluginInfo("incr", "plugins/incr.jar", List.of(), List.of("INCR")))));

        assertThat(normalized(new StatsAction().handle(context, request("{}")))).isEqualTo(json("""
                {'uptime_seconds': 90,
                 'connections': {'open': 1, 'total': 2, 'refused': 0, 'output_limit_disconnects': 1, 'incidents': 0},
                 'request_memory': {'limit_bytes': 1048576, 'used_bytes': 2048, 'peak_bytes': 4096, 'waits': 1,
                                    'refusals': 1},
                 'requests': {'GET': 1, 'PING': 2},
                 'errors': {'GET': 1},
                 'storage': {'provider': 'lmdb'},
                 'databases': {'logs': 0, 'shop': 2},
                 'plugins': [{'name': 'incr', 'storage_providers': [], 'actions': ['INCR']}]}"""));
    }

    @Test
    void isAdminOnlyAndNeedsServerInfo() {
        assertThat(new StatsAction().permission()).isEqualTo(Permission.ADMIN);

        assertThatThrownBy(() -> new StatsAction().handle(context, request("{}")))
                .hasMessageContaining("ServerInfo");
    }

    @Test
    void withoutServerStatsItIsAnInternalFailure() {
        assertThatThrownBy(() -> new StatsAction().handle(new FakeRequestContext(storage), request("{}")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ServerStats");
    }
}
