package dev.pydb.engine.server;

import dev.pydb.engine.config.ServerConfig;
import dev.pydb.engine.stats.ServerStats;
import dev.pydb.engine.transport.NioTcpServer;
import dev.pydb.engine.transport.RequestProcessor;
import dev.pydb.engine.transport.TcpServer;
import dev.pydb.engine.transport.Transport;

/** Creates the {@link Transport} that feeds requests to the dispatcher. */
@FunctionalInterface
public interface TransportFactory {
    Transport create(ServerConfig config, RequestProcessor processor, ServerStats stats);

    /**
     * The production choice: with {@code server.tls} enabled the blocking {@link TcpServer} (a
     * virtual thread per connection; TLS over NIO is not implemented), otherwise the
     * {@link NioTcpServer} event loops.
     */
    static TransportFactory production() {
        return (config, processor, stats) -> config.tls().enabled()
                ? new TcpServer(config, processor, stats)
                : new NioTcpServer(config, processor, stats);
    }
}
