/**
 * The TCP transport. {@link dev.pydb.engine.transport.NioTcpServer} (plain TCP) serves
 * connections on a few NIO event loops, running cheap read-only requests on the loop and
 * requests that may block on virtual worker threads; {@link dev.pydb.engine.transport.TcpServer}
 * (used when TLS is enabled) serves each connection on its own virtual thread. Both decode frames
 * with the codec and hand each body to the {@link dev.pydb.engine.transport.RequestProcessor}.
 * Sockets never leave this package. Framing errors, refused connections and timeouts are
 * answered here; everything about the request body is the processor's job.
 */
package dev.pydb.engine.transport;
