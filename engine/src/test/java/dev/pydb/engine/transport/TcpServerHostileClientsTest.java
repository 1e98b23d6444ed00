package dev.pydb.engine.transport;

import dev.pydb.engine.config.ServerConfig;
import dev.pydb.engine.stats.ServerStats;

class TcpServerHostileClientsTest extends HostileClientsTest {
    @Override
    protected Transport newTransport(ServerConfig config, RequestProcessor processor, ServerStats stats) {
        return new TcpServer(config, processor, stats);
    }
}
