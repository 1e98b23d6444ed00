package dev.pydb.engine.server;

import dev.pydb.engine.config.ServerConfig;
import dev.pydb.engine.stats.ServerStats;
import dev.pydb.engine.transport.NioTcpServer;
import dev.pydb.engine.transport.RequestProcessor;
import dev.pydb.engine.transport.Transport;

/** Creates the {@link Transport} that feeds requests to the dispatcher. */
@FunctionalInterface
public interface TransportFactory {
    Transport create(ServerConfig config, RequestProcessor processor, ServerStats stats);

    /** The production choice: the {@link NioTcpServer} event loops, plain or TLS as {@code server.tls} says. */
    static TransportFactory production() {
        return NioTcpServer::new;
    }
}
