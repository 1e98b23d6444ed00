package dev.pydb.engine.transport;

import dev.pydb.engine.config.ServerConfig;
import dev.pydb.engine.stats.ServerStats;

/** The transport behaviour of the blocking {@link TcpServer} (a virtual thread per connection). */
class TcpServerTest extends TransportBehaviourTest {
    @Override
    protected Transport newTransport(ServerConfig config, RequestProcessor processor, ServerStats stats) {
        return new TcpServer(config, processor, stats);
    }
}
