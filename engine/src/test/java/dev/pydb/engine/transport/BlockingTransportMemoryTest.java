package dev.pydb.engine.transport;

import dev.pydb.engine.config.ServerConfig;
import dev.pydb.engine.stats.ServerStats;

/** The memory budget on the blocking transport ({@link TcpServer}, the one that does TLS). */
class BlockingTransportMemoryTest extends TransportMemoryTest {
    @Override
    protected Transport newTransport(ServerConfig config, RequestProcessor processor, ServerStats stats) {
        return new TcpServer(config, processor, stats);
    }
}
