package dev.pydb.engine.server;

import java.time.Duration;

/**
 * The network side of a running server as {@link PydbServer} drives it: the TCP server in
 * production ({@code transport.TcpServer}), a fake in tests.
 */
public interface Transport extends AutoCloseable {
    /** Binds and returns once listening. */
    void start();

    /** The bound port (useful with port 0). */
    int port();

    /** Stops accepting, lets in-flight requests finish for up to {@code grace}, then closes connections. */
    void stop(Duration grace);

    @Override
    void close();
}
