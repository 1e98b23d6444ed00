package dev.pydb.engine.transport;

import dev.pydb.engine.config.ServerConfig;
import dev.pydb.engine.stats.ServerStats;

class NioTcpServerHostileClientsTest extends HostileClientsTest {
    @Override
    protected Transport newTransport(ServerConfig config, RequestProcessor processor, ServerStats stats) {
        return new NioTcpServer(config, processor, stats, 2);
    }
}
