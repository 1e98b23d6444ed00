package dev.pydb.engine.transport;

import java.time.Duration;

/**
 * The network side of a running server as {@code PydbServer} drives it: {@link NioTcpServer} in
 * production (plain or TLS), a fake in tests.
 */
public interface Transport extends AutoCloseable {
    /** Binds and returns once listening; {@link java.io.UncheckedIOException} if it cannot bind. */
    void start();

    /** The bound port (useful with port 0). */
    int port();

    /** Stops accepting, lets in-flight requests finish for up to {@code grace}, then closes connections. */
    void stop(Duration grace);

    @Override
    void close();
}
